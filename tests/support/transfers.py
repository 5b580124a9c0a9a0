import pytest

from handover.transfers.services import start_transfer


@pytest.fixture
def start(terms):
    """Start a transfer with the usual acknowledgements; returns the StartedTransfer."""

    def _start(actor, organization, *products, **kwargs):
        kwargs.setdefault("accept_terms", True)
        kwargs.setdefault("acknowledge_warnings", True)
        return start_transfer(
            actor=actor, organization=organization, product_ids=[p.id for p in products], **kwargs
        )

    return _start


@pytest.fixture
def started(terms, owner, org, hosting):
    """A pending transfer of `hosting`, started by the owner through the service."""
    return start_transfer(
        actor=owner, organization=org, product_ids=[hosting.id], accept_terms=True, acknowledge_warnings=True
    )
