"""Receiving a transfer: the move itself, all or nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from handover.audit.models import AuditAction, AuditEvent
from handover.billing.models import Invoice, InvoiceLine
from handover.errors import NotFound, PermissionDenied
from handover.organizations.models import Membership, Organization, Role
from handover.products.models import AccessLevel, Product, ProductAccess, ProductStatus, natural_key
from handover.terms.models import Acceptance, AcceptanceStep
from handover.transfers import errors
from handover.transfers.models import TransferItem, TransferState
from handover.transfers.services import (
    complete_transfer,
    inspect_transfer_link,
    receive_transfer,
    rotate_transfer_link,
)
from tests.support import factories


@pytest.fixture
def people(org, hosting, domain):
    """Who has which access before the move: a user, a team, and kDrive users."""
    bob = factories.add_member(org, factories.make_user("bob@example.com", name="Bob"), Role.COLLABORATOR)
    carol = factories.add_member(
        org, factories.make_user("carol@example.com", name="Carol"), Role.COLLABORATOR
    )
    team = factories.make_team(org, bob, name="Web agency")
    drive = factories.make_product(org, "kdrive", name="Team drive")
    factories.grant(hosting, bob)
    factories.grant(domain, team)
    factories.grant(drive, carol, AccessLevel.MANAGE)
    factories.grant(drive, team)
    return {"bob": bob, "carol": carol, "team": team, "drive": drive}


def test_receiving_moves_every_product_and_applies_each_access_policy(
    start, org, owner, recipient, destination, hosting, domain, people, run_tasks
):
    drive = people["drive"]
    invoice = factories.make_invoice(org, hosting, domain)
    refs = {p.id: p.service_ref for p in (hosting, domain, drive)}
    started = start(owner, org, hosting, domain, drive)

    transfer = receive_transfer(
        actor=recipient, token=started.token, destination=destination, accept_terms=True
    )

    assert transfer.state == TransferState.COMPLETED
    assert (transfer.destination_organization, transfer.received_by) == (destination, recipient)
    assert transfer.completed_at is not None
    moved = Product.objects.filter(id__in=refs)
    assert {p.organization_id for p in moved} == {destination.id}
    assert {p.id: p.service_ref for p in moved} == refs  # the running services are untouched
    # Access: user and team rights gone; the kDrive user keeps `use` only and joins as collaborator.
    assert list(ProductAccess.objects.values_list("product__name", "user__email", "level")) == [
        ("Team drive", "carol@example.com", AccessLevel.USE)
    ]
    assert Membership.objects.get(organization=destination, user=people["carol"]).role == Role.COLLABORATOR
    assert not Membership.objects.filter(organization=destination, user=people["bob"]).exists()
    # Invoices never move.
    assert Invoice.objects.get() == invoice and invoice.organization == org
    assert InvoiceLine.objects.filter(invoice__organization=org).count() == 2
    assert not TransferItem.objects.filter(pending=True).exists()
    # Matching audit entries on both sides, with the transfer's id.
    source_event = AuditEvent.objects.get(organization=org, action=AuditAction.TRANSFER_COMPLETED)
    destination_event = AuditEvent.objects.get(organization=destination, action=AuditAction.TRANSFER_RECEIVED)
    assert source_event.details["transfer_id"] == destination_event.details["transfer_id"] == str(transfer.id)
    assert source_event.actor == destination_event.actor == recipient
    assert Acceptance.objects.filter(
        user=recipient, organization=destination, step=AcceptanceStep.RECEIVE_TRANSFER, reference=transfer.id
    ).exists()

    assert mail.outbox == []  # queued in the transaction, sent by the worker
    run_tasks()
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Admins of both sides are told; Bob lost access (directly and through his team).
    assert recipients == ["bob@example.com", "owner@example.com", "recipient@example.com"]
    completed = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert completed.subject == "Transfer completed: Source SA → Destination GmbH"
    assert "shop.example" in completed.body and "example.ch" in completed.body
    assert completed.alternatives[0][1] == "text/html"


def test_a_large_transfer_sends_one_email_per_person_naming_the_first_products(
    start, org, owner, recipient, destination, run_tasks, django_assert_max_num_queries
):
    bob = factories.add_member(org, factories.make_user("bob@example.com"), Role.COLLABORATOR)
    products = factories.make_products(org, 60)
    ProductAccess.objects.bulk_create(
        ProductAccess(product=p, user=bob, level=AccessLevel.MANAGE) for p in products
    )
    started = start(owner, org, *products)
    receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)

    with django_assert_max_num_queries(40):  # the worker's queries do not grow with the products either
        run_tasks()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "bob@example.com",
        "owner@example.com",
        "recipient@example.com",
    ]
    names = sorted((p.name for p in products), key=natural_key)
    for message in mail.outbox:
        assert f"- {names[49]} (" in message.body and f"- {names[50]} (" not in message.body
        assert "and 10 more" in message.body


def test_receiving_into_a_new_organization_creates_it_for_the_recipient(
    start, org, owner, recipient, hosting
):
    started = start(owner, org, hosting)
    transfer = receive_transfer(
        actor=recipient, token=started.token, new_organization_name="Rita's Shop", accept_terms=True
    )
    created = Organization.objects.get(name="Rita's Shop")
    assert transfer.destination_organization == created
    assert Membership.objects.get(organization=created).user == recipient
    assert Membership.objects.get(organization=created).role == Role.LEGAL_REPRESENTATIVE
    assert Product.objects.get(pk=hosting.pk).organization == created


def test_receiving_twice_returns_the_same_transfer(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    first = receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    again = receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    assert again == first
    assert again.completed_at == first.completed_at
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_RECEIVED).count() == 1


def test_a_used_link_is_refused_to_anyone_else(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    other = factories.make_user()
    other_org = factories.make_org(owner=other)
    with pytest.raises(errors.TransferNotPending) as caught:
        receive_transfer(actor=other, token=started.token, destination=other_org, accept_terms=True)
    assert caught.value.status == 409
    assert "already been used" in caught.value.detail
    assert Product.objects.get(pk=hosting.pk).organization == destination


def _nothing_moved(org, *products):
    assert all(Product.objects.get(pk=p.pk).organization == org for p in products)
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSFER_RECEIVED).exists()


def test_an_unknown_or_tampered_link_is_not_found(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    for token in ["nope", started.token[:-1] + ("A" if started.token[-1] != "A" else "B"), "x" * 500]:
        with pytest.raises(errors.TransferLinkUnknown) as caught:
            receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
        assert caught.value.status == 404
    _nothing_moved(org, hosting)


def test_a_new_link_kills_the_old_one_at_once(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    renewed = rotate_transfer_link(actor=owner, transfer=started.transfer)
    assert renewed.token != started.token
    with pytest.raises(errors.TransferLinkUnknown):
        inspect_transfer_link(actor=recipient, token=started.token)
    assert inspect_transfer_link(actor=recipient, token=renewed.token) == started.transfer
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_ROTATED, organization=org).count() == 1


def test_an_expired_link_is_refused_even_before_the_sweep(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    later = timezone.now() + timedelta(days=7, seconds=1)
    with time_machine.travel(later), pytest.raises(errors.TransferExpired) as caught:
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    assert caught.value.status == 410
    _nothing_moved(org, hosting)


def test_the_terms_must_be_accepted(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    with pytest.raises(errors.TermsNotAccepted):
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=False)
    with pytest.raises(errors.TermsNotAccepted):
        receive_transfer(
            actor=recipient, token=started.token, new_organization_name="New", accept_terms=False
        )
    _nothing_moved(org, hosting)
    assert not Organization.objects.filter(name="New").exists()


def test_a_destination_is_required(start, org, owner, recipient, hosting):
    started = start(owner, org, hosting)
    with pytest.raises(errors.DestinationRequired):
        receive_transfer(actor=recipient, token=started.token, accept_terms=True)
    _nothing_moved(org, hosting)


def test_the_source_cannot_be_the_destination(start, org, owner, hosting):
    started = start(owner, org, hosting)
    with pytest.raises(errors.InvalidDestination):
        receive_transfer(actor=owner, token=started.token, destination=org, accept_terms=True)
    _nothing_moved(org, hosting)


def test_the_recipient_must_administer_the_destination(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    collaborator = factories.add_member(destination, role=Role.COLLABORATOR)
    with pytest.raises(PermissionDenied):
        receive_transfer(actor=collaborator, token=started.token, destination=destination, accept_terms=True)
    with pytest.raises(NotFound):
        receive_transfer(
            actor=factories.make_user(), token=started.token, destination=destination, accept_terms=True
        )
    _nothing_moved(org, hosting)


def test_a_product_that_became_ineligible_makes_the_receive_stale(
    start, org, owner, recipient, destination, hosting, domain
):
    started = start(owner, org, hosting, domain)
    Product.objects.filter(pk=domain.pk).update(status=ProductStatus.SUSPENDED)
    with pytest.raises(errors.TransferStale) as caught:
        receive_transfer(
            actor=recipient, token=started.token, new_organization_name="Fresh", accept_terms=True
        )
    assert caught.value.code == "transfer_stale"
    assert "example.ch" in caught.value.detail
    _nothing_moved(org, hosting, domain)
    assert not Organization.objects.filter(name="Fresh").exists()
    started.transfer.refresh_from_db()
    assert started.transfer.state == TransferState.PENDING


@pytest.mark.parametrize("change", ["moved", "removed"])
def test_a_product_moved_or_removed_since_the_start_makes_the_receive_stale(
    start, org, owner, recipient, destination, hosting, domain, change
):
    started = start(owner, org, hosting, domain)
    if change == "moved":
        Product.objects.filter(pk=domain.pk).update(organization=factories.make_org("Elsewhere"))
    else:
        Product.objects.filter(pk=domain.pk).delete()
    with pytest.raises(errors.TransferStale) as caught:
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    expected = {"moved": "example.ch.", "removed": "1 product that no longer exists."}[change]
    assert f"can no longer be transferred: {expected}" in caught.value.detail
    _nothing_moved(org, hosting)
    started.transfer.refresh_from_db()
    assert started.transfer.state == TransferState.PENDING


def test_a_failure_half_way_leaves_nothing_changed(
    start, org, owner, recipient, destination, hosting, domain, people, monkeypatch
):
    """An exception after the products moved (here, while recording the acceptance) rolls back all."""
    started = start(owner, org, hosting, domain)
    accesses = ProductAccess.objects.count()

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("handover.transfers.services.record_acceptance", explode)
    with pytest.raises(RuntimeError):
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    _nothing_moved(org, hosting, domain)
    assert ProductAccess.objects.count() == accesses
    started.transfer.refresh_from_db()
    assert started.transfer.state == TransferState.PENDING
    from django_tasks_db.models import DBTaskResult

    assert not DBTaskResult.objects.filter(task_path__contains="completed").exists()


def test_a_link_bound_to_an_email_only_works_for_that_verified_address(
    start, org, owner, destination, hosting
):
    from handover.transfers.services import send_transfer_link

    started = start(owner, org, hosting)
    send_transfer_link(actor=owner, transfer=started.transfer, email="Recipient@Example.com")
    from handover.transfers import links

    started.transfer.refresh_from_db()
    token = links.link_secret(started.transfer.id, started.transfer.link_nonce)
    stranger = factories.make_user()
    stranger_org = factories.make_org(owner=stranger)
    with pytest.raises(errors.TransferBoundToEmail):
        receive_transfer(actor=stranger, token=token, destination=stranger_org, accept_terms=True)
    recipient = destination.memberships.get().user
    assert receive_transfer(
        actor=recipient, token=token, destination=destination, accept_terms=True
    ).state == (TransferState.COMPLETED)


def test_complete_directly_into_another_organization_of_the_same_admin(start, org, owner, hosting):
    mine = factories.make_org("My other company", owner=owner)
    started = start(owner, org, hosting)
    transfer = complete_transfer(actor=owner, transfer=started.transfer, destination=mine, accept_terms=True)
    assert transfer.state == TransferState.COMPLETED
    assert Product.objects.get(pk=hosting.pk).organization == mine
    assert AuditEvent.objects.get(action=AuditAction.TRANSFER_RECEIVED).details["via"] == "direct"


def test_complete_directly_refuses_an_organization_where_the_user_is_not_admin(start, org, owner, hosting):
    elsewhere = factories.make_org("Elsewhere")
    factories.add_member(elsewhere, owner, Role.COLLABORATOR)
    started = start(owner, org, hosting)
    with pytest.raises(PermissionDenied):
        complete_transfer(actor=owner, transfer=started.transfer, destination=elsewhere, accept_terms=True)
    _nothing_moved(org, hosting)


def test_a_new_link_after_sending_is_a_bearer_link_again(start, org, owner, hosting):
    from handover.transfers.models import Transfer
    from handover.transfers.services import send_transfer_link

    started = start(owner, org, hosting)
    send_transfer_link(actor=owner, transfer=started.transfer, email="a@example.com")
    assert Transfer.objects.get().bound_email == "a@example.com"
    renewed = rotate_transfer_link(actor=owner, transfer=started.transfer)
    assert Transfer.objects.get().bound_email == ""
    stranger = factories.make_user()
    assert inspect_transfer_link(actor=stranger, token=renewed.token) == started.transfer


def test_a_transfer_is_read_by_admins_of_either_side_only(start, org, owner, recipient, destination, hosting):
    from handover.transfers.selectors import transfer_get_for_admin

    transfer = start(owner, org, hosting).transfer
    assert transfer_get_for_admin(user=owner, transfer_id=transfer.id) == transfer
    with pytest.raises(PermissionDenied):
        transfer_get_for_admin(
            user=factories.add_member(org, role=Role.COLLABORATOR), transfer_id=transfer.id
        )
    with pytest.raises(NotFound):
        transfer_get_for_admin(user=recipient, transfer_id=transfer.id)
    receive_transfer(
        actor=recipient, token=factories_token(transfer), destination=destination, accept_terms=True
    )
    assert transfer_get_for_admin(user=recipient, transfer_id=transfer.id) == transfer
    with pytest.raises(NotFound):
        transfer_get_for_admin(user=owner, transfer_id="not-a-uuid")


def factories_token(transfer):
    from handover.transfers import links

    transfer.refresh_from_db()
    return links.link_secret(transfer.id, transfer.link_nonce)


def test_the_same_recipient_cannot_receive_into_a_second_destination(
    start, org, owner, recipient, destination
):
    product = factories.make_product(org)
    started = start(owner, org, product)
    receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    other = factories.make_org("Second", owner=recipient)
    with pytest.raises(errors.TransferNotPending):
        receive_transfer(actor=recipient, token=started.token, destination=other, accept_terms=True)
    assert Product.objects.get(pk=product.pk).organization == destination


def test_receiving_again_into_a_new_organization_of_the_same_name_is_a_repeat(start, org, owner, recipient):
    product = factories.make_product(org)
    started = start(owner, org, product)
    first = receive_transfer(
        actor=recipient, token=started.token, new_organization_name="Rita SA", accept_terms=True
    )
    again = receive_transfer(
        actor=recipient, token=started.token, new_organization_name="Rita SA", accept_terms=True
    )
    assert again == first
    assert Organization.objects.filter(name="Rita SA").count() == 1
