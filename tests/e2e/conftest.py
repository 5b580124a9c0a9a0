"""Browser tests: Playwright driving Debian's Chromium (fixtures in tests/support/browser.py).

Every test here is marked `e2e` and `slow`, and runs with `transactional_db`, so that the live
server's thread sees the rows the test creates.
"""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `e2e` and `slow`, and give it `transactional_db`."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.django_db(transaction=True))
