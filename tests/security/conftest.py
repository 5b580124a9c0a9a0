# The people, products and helpers of the transfer and API tests, shared rather than written again.
from tests.api.conftest import api  # noqa: F401
from tests.concurrency.conftest import pytest_terminal_summary  # noqa: F401 (the figures of the random runs)
from tests.transfers.conftest import admin, destination, hosting, recipient, start  # noqa: F401
