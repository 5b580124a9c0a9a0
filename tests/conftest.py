import pytest

# The helpers' own asserts explain their failures too (assert_error, race, ...).
pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.passwords",
    "tests.support.languages",
    "tests.support.databases",
    "tests.support.racing",
    "tests.support.tasks",
    "tests.support.terms",
    "tests.support.organizations",
    "tests.support.products",
    "tests.support.transfers",
    "tests.support.api",
    "tests.support.cli",
    "tests.support.servers",
    "tests.support.fleet",
    "tests.support.browser",
    "tests.support.webhooks",
]
