"""Links are single use, rotatable and revocable at once: even a request that looked a link up just
before it was replaced cannot use it (ASVS 5.0 6.6.x / 11.5.1; SPEC §3.4)."""

import pytest

from handover.products.models import Product
from handover.transfers import errors, services
from handover.transfers.models import Transfer, TransferState
from handover.transfers.selectors import transfer_get_by_token


@pytest.fixture
def replaced_after_lookup(monkeypatch):
    """Make `action` run right after the service looked the link up and before it locks the transfer:
    the window in which a concurrent rotation (or email, which also rotates) commits."""

    def arrange(action):
        def lookup_then_act(*, token):
            found = transfer_get_by_token(token=token)
            monkeypatch.setattr(services, "transfer_get_by_token", transfer_get_by_token)
            action()
            return found

        monkeypatch.setattr(services, "transfer_get_by_token", lookup_then_act)

    return arrange


def test_a_link_rotated_after_its_lookup_cannot_receive(
    start, org, owner, recipient, destination, hosting, replaced_after_lookup
):
    started = start(owner, org, hosting)
    replaced_after_lookup(lambda: services.rotate_transfer_link(actor=owner, transfer=started.transfer))

    with pytest.raises(errors.TransferLinkUnknown):
        services.receive_transfer(
            actor=recipient, token=started.token, destination=destination, accept_terms=True
        )

    assert Transfer.objects.get().state == TransferState.PENDING
    assert Product.objects.get().organization == org


def test_a_link_sent_to_someone_else_after_its_lookup_cannot_receive(
    start, org, owner, recipient, destination, hosting, replaced_after_lookup
):
    """Sending replaces the link with one bound to the address: the old, unbound one must die."""
    started = start(owner, org, hosting)
    replaced_after_lookup(
        lambda: services.send_transfer_link(
            actor=owner, transfer=started.transfer, email="someone.else@example.com"
        )
    )

    with pytest.raises(errors.TransferLinkUnknown):
        services.receive_transfer(
            actor=recipient, token=started.token, destination=destination, accept_terms=True
        )
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_link_rotated_after_its_lookup_cannot_decline(
    start, org, owner, recipient, hosting, replaced_after_lookup
):
    started = start(owner, org, hosting)
    replaced_after_lookup(lambda: services.rotate_transfer_link(actor=owner, transfer=started.transfer))

    with pytest.raises(errors.TransferLinkUnknown):
        services.decline_transfer(actor=recipient, token=started.token)
    assert Transfer.objects.get().state == TransferState.PENDING
