# Kills on PostgreSQL are deselected elsewhere, and the figures printed with the races'.
from tests.concurrency.conftest import pytest_collection_modifyitems, pytest_terminal_summary  # noqa: F401
