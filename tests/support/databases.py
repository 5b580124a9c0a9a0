"""Tests marked `postgres_only` need row locks and concurrent connections, which only PostgreSQL gives
(SQLite serializes writers; its races are proven through the HTTP server instead). They are
deselected, not skipped, when DATABASE_URL is not PostgreSQL: `make test` runs again on PostgreSQL
(as CI does), and that run includes them.
"""

import pytest
from django.conf import settings


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgresql():
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
