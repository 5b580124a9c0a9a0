"""An expired transfer frees its products the instant it expires, not at the next sweep (SPEC §6.2)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from handover.products.models import Product
from handover.transfers import errors, services
from handover.transfers.filters import TransferFilter
from handover.transfers.models import Transfer, TransferItem, TransferState
from handover.transfers.selectors import (
    prefetch_pending_transfers,
    transfer_refusal,
    transfers_badge,
    transfers_for_organization,
    with_pending_transfer,
)
from tests.support import factories


def test_an_expired_transfer_frees_its_products_the_instant_it_expires(
    start, org, owner, recipient, destination, hosting, domain, run_tasks, django_assert_max_num_queries
):
    old = start(owner, org, hosting, domain)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.HANDOVER_TRANSFER_TTL + 1)):
        # Nothing shows the products as held any more, and the old link is refused.
        listed = with_pending_transfer(Product.objects.filter(organization=org))
        assert {p.pending_transfer_id for p in listed} == {None}
        read = list(Product.objects.filter(organization=org))
        prefetch_pending_transfers(read)
        assert [transfer_refusal(p) for p in read] == [None, None]
        assert transfers_badge(user=owner, organization=org).count == 0
        with pytest.raises(errors.TransferExpired):
            services.receive_transfer(
                actor=recipient, token=old.token, destination=destination, accept_terms=True
            )

        # A new transfer of one of them starts at once, in one transaction with a constant number of
        # statements, the old transfer's hold released set-based.
        with django_assert_max_num_queries(20):
            new = start(owner, org, hosting)

        # The lists show the old one expired, the new one pending.
        def listed_as(state):
            filters = TransferFilter({"state": state})
            return set(transfers_for_organization(organization=org, filters=filters))

        assert listed_as(TransferState.EXPIRED) == {old.transfer}
        assert listed_as(TransferState.PENDING) == {new.transfer}
        history = set(transfers_for_organization(organization=org, filters=TransferFilter({}, history=True)))
        assert history == {old.transfer}
        assert Transfer.objects.get(pk=old.transfer.pk).current_state == TransferState.EXPIRED

        # The sweep then marks it and tells its initiator; the new transfer keeps its product.
        assert services.expire_due_transfers() == 1
    run_tasks()
    assert Transfer.objects.get(pk=old.transfer.pk).state == TransferState.EXPIRED
    assert Transfer.objects.get(pk=new.transfer.pk).state == TransferState.PENDING
    assert list(TransferItem.objects.filter(pending=True).values_list("transfer", "product")) == [
        (new.transfer.pk, hosting.pk)
    ]
    assert any("expired" in m.subject.lower() for m in mail.outbox)
    received = services.receive_transfer(
        actor=recipient, token=new.token, destination=destination, accept_terms=True
    )
    assert received.state == TransferState.COMPLETED


def test_a_product_held_by_an_expired_transfer_needs_no_sweep_to_be_started_by_filter(api, terms, org, owner):
    count = 3
    products = factories.make_products(org, count)
    held = factories.make_pending_transfer(org, owner, *products)
    Transfer.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    answer = api(owner).post(
        f"/organizations/{org.id}/transfers",
        {"filter": {"transferable": True}, "accept_terms": True, "acknowledge_warnings": True},
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["product_count"] == count
    assert TransferItem.objects.filter(pending=True).exclude(transfer=held).count() == count
