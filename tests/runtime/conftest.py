# Tests marked `postgres_only` are deselected on SQLite, as in tests/concurrency.
from tests.concurrency.conftest import pytest_collection_modifyitems  # noqa: F401
