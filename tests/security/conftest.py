import pytest

from handover.organizations.models import Role
from tests import factories
from tests.api.conftest import api  # noqa: F401 (a fixture: `api(user)` is an API client with a token)


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


@pytest.fixture
def hosting(org):
    return factories.make_product(org, "web_hosting", name="shop.example")


@pytest.fixture
def start(terms):
    """Start a transfer with the usual acknowledgements; returns the StartedTransfer."""
    from handover.transfers.services import start_transfer

    def _start(actor, organization, *products, **kwargs):
        kwargs.setdefault("accept_terms", True)
        kwargs.setdefault("acknowledge_warnings", True)
        return start_transfer(
            actor=actor, organization=organization, product_ids=[p.id for p in products], **kwargs
        )

    return _start


# The figures of the random runs are printed with the races' (see tests/concurrency/conftest.py).
from tests.concurrency.conftest import pytest_terminal_summary  # noqa: E402, F401
