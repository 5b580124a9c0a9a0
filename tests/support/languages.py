import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def no_language_left_active():
    """A request activates its language in the thread and leaves it there (Django resets it at the next
    request, not after); a command run by the next test would speak it. Each test starts in English."""
    yield
    translation.deactivate()
