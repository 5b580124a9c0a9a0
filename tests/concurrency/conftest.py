"""Races with real threads, each on its own database connection, released together by a barrier.

Tests marked `postgres_only` need row locks and concurrent connections, which only PostgreSQL gives
(SQLite serializes writers; its races are proven through the HTTP server instead). They are
deselected, not skipped, when DATABASE_URL is not PostgreSQL: `make test` runs again on PostgreSQL
(as CI does), and that run includes them.
"""

import pytest

from tests.concurrency.racing import on_postgresql


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgresql():
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the figures of the races, faults and random runs of this session, once."""
    from tests.concurrency import racing

    if racing.FIGURES and not racing.FIGURES_SHOWN:
        racing.FIGURES_SHOWN = True
        terminalreporter.section("race, fault and random-run figures")
        for line in racing.FIGURES:
            terminalreporter.write_line(line)
