"""The people of most tests and their Organizations: the source Organization `org` with its legal
representative `owner` and an administrator `admin`; the `recipient` and their `destination`."""

import pytest

from handover.organizations.models import Role
from tests.support import factories


@pytest.fixture
def owner(db):
    return factories.make_user("owner@example.com", name="Olivia Owner")


@pytest.fixture
def org(owner):
    """An Organization whose legal representative is `owner`."""
    return factories.make_org("Source SA", owner=owner)


@pytest.fixture
def admin(org):
    """An administrator (not legal representative) of the source Organization."""
    return factories.add_member(
        org, factories.make_user("admin@example.com", name="Adam Admin"), Role.ADMINISTRATOR
    )


@pytest.fixture
def recipient(db):
    return factories.make_user("recipient@example.com", name="Rita Recipient")


@pytest.fixture
def destination(recipient):
    return factories.make_org("Destination GmbH", owner=recipient)
