import pytest

from tests.support import factories


@pytest.fixture
def terms(db):
    """The general conditions in force (transfers refuse to start without a version)."""
    return factories.make_terms()
