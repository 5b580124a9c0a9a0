import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: the default hasher's cost is for production, not for tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Races marked `postgres_only` are deselected on SQLite, as in tests/concurrency.
from tests.concurrency.conftest import pytest_collection_modifyitems  # noqa: E402, F401
