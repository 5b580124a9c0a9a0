"""Tests marked `postgres_only` need row locks and concurrent connections, which only PostgreSQL gives
(SQLite serializes writers; its races are proven through the HTTP server instead). They are
deselected, not skipped, when DATABASE_URL is not PostgreSQL: `make test` runs again on PostgreSQL
(as CI does), and that run includes them.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgresql():
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


@pytest.fixture(autouse=True)
def _no_cache_carried_over(request: pytest.FixtureRequest, django_db_blocker) -> Iterator[None]:
    """The rate limits and throttles (allauth's sign-in limits too) live in the database cache, a table
    that the flush after a transactional test leaves alone: without this, every browser sign-in from
    127.0.0.1 would count against the next test's, and a fast run would meet a 429."""
    yield
    if request.node.get_closest_marker("django_db") or {"transactional_db", "live_server"} & set(
        request.fixturenames
    ):
        with django_db_blocker.unblock():
            cache.clear()
