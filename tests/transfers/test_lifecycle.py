"""Around the move: sending the link, cancelling, declining, expiring, and rights that follow people."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from handover.audit.models import AuditAction, AuditEvent
from handover.errors import InvalidInput, PermissionDenied
from handover.organizations.models import Role
from handover.products.models import Product
from handover.transfers import errors
from handover.transfers.models import Transfer, TransferState
from handover.transfers.services import (
    cancel_transfer,
    cancel_transfers_started_by,
    decline_transfer,
    expire_due_transfers,
    receive_transfer,
    remind_expiring_transfers,
    rotate_transfer_link,
    send_transfer_link,
)
from tests.support import factories


def _link_in(message) -> str:
    return re.search(r"https?://\S+/transfers/receive/(\S+)", message.body).group(1)


def test_sending_the_link_emails_a_working_link_from_the_worker(
    start, org, owner, recipient, destination, hosting, run_tasks
):
    started = start(owner, org, hosting)
    send_transfer_link(
        actor=owner, transfer=started.transfer, email="recipient@example.com", message="Here are the shops."
    )
    assert mail.outbox == []
    run_tasks()
    [message] = mail.outbox
    assert message.to == ["recipient@example.com"]
    assert message.subject == "Source SA is transferring a product to you"
    assert "Here are the shops." in message.body
    assert "shop.example" in message.body
    token = _link_in(message)
    assert token != started.token  # sending issues a new link, bound to the address
    with pytest.raises(errors.TransferLinkUnknown):
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    transfer = receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
    assert transfer.state == TransferState.COMPLETED
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_SENT, organization=org).count() == 1


@pytest.mark.parametrize("message", ["Your new shop.", "Also the domain."])
def test_the_link_email_prints_the_note_and_the_message_once_each(
    start, org, owner, hosting, run_tasks, message
):
    started = start(owner, org, hosting, note="Your new shop.")
    send_transfer_link(actor=owner, transfer=started.transfer, email="someone@example.com", message=message)
    run_tasks()
    [email] = mail.outbox
    html = email.alternatives[0][0]
    for text in {"Your new shop.", message}:
        assert (email.body.count(text), html.count(text)) == (1, 1), text


def test_a_link_replaced_before_the_worker_ran_is_not_sent(start, org, owner, hosting, run_tasks):
    started = start(owner, org, hosting)
    send_transfer_link(actor=owner, transfer=started.transfer, email="someone@example.com")
    rotate_transfer_link(actor=owner, transfer=started.transfer)
    run_tasks()
    assert mail.outbox == []


def test_no_mail_is_queued_for_a_refused_send(start, org, owner, hosting, run_tasks):
    started = start(owner, org, hosting)
    cancel_transfer(actor=owner, transfer=started.transfer)
    mail.outbox.clear()
    with pytest.raises(errors.TransferNotPending):
        send_transfer_link(actor=owner, transfer=started.transfer, email="someone@example.com")
    run_tasks()
    assert [m.subject for m in mail.outbox] == ["Transfer cancelled: Source SA"]


def test_the_secret_is_stored_nowhere(start, org, owner, hosting, run_tasks, tmp_path):
    started = start(owner, org, hosting)
    send_transfer_link(actor=owner, transfer=started.transfer, email="someone@example.com")
    dump = tmp_path / "dump.json"
    call_command("dumpdata", output=str(dump), verbosity=0)
    run_tasks()
    token = _link_in(mail.outbox[0])
    text = dump.read_text()
    assert started.token not in text
    assert token not in text


def test_cancelling_frees_the_products_and_tells_the_initiator(start, org, owner, admin, hosting, run_tasks):
    started = start(admin, org, hosting)
    cancel_transfer(actor=owner, transfer=started.transfer, reason="Wrong product")
    transfer = Transfer.objects.get()
    assert transfer.state == TransferState.CANCELLED
    assert transfer.ended_by == owner and transfer.end_reason == "Wrong product"
    assert start(owner, org, hosting).transfer.state == TransferState.PENDING  # free again
    run_tasks()
    [message] = [m for m in mail.outbox if "cancelled" in m.subject]
    assert message.to == ["admin@example.com"]
    assert "Wrong product" in message.body
    with pytest.raises(errors.TransferNotPending):
        cancel_transfer(actor=owner, transfer=transfer)


def test_only_admins_of_the_source_cancel(start, org, owner, hosting):
    started = start(owner, org, hosting)
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    with pytest.raises(PermissionDenied):
        cancel_transfer(actor=collaborator, transfer=started.transfer)
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_cancelled_link_says_so(start, org, owner, recipient, destination, hosting):
    started = start(owner, org, hosting)
    cancel_transfer(actor=owner, transfer=started.transfer)
    with pytest.raises(errors.TransferNotPending) as caught:
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    assert "cancelled" in caught.value.detail
    assert Product.objects.get(pk=hosting.pk).organization == org


def test_declining_ends_the_transfer_and_tells_the_initiator(
    start, org, owner, recipient, hosting, run_tasks
):
    started = start(owner, org, hosting)
    decline_transfer(actor=recipient, token=started.token, reason="Not ours")
    transfer = Transfer.objects.get()
    assert transfer.state == TransferState.DECLINED
    assert transfer.ended_by == recipient
    assert Product.objects.get(pk=hosting.pk).organization == org
    event = AuditEvent.objects.get(action=AuditAction.TRANSFER_DECLINED)
    assert event.organization == org and event.details["reason"] == "Not ours"
    run_tasks()
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    assert "Rita Recipient declined" in message.body and "Not ours" in message.body


def test_expiry_marks_due_transfers_and_tells_the_initiator(start, org, owner, hosting, domain, run_tasks):
    due = start(owner, org, hosting).transfer
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        fresh = start(owner, org, domain).transfer
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert expire_due_transfers() == 1
        assert expire_due_transfers() == 0
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.state, fresh.state) == (TransferState.EXPIRED, TransferState.PENDING)
    run_tasks()
    assert [m.subject for m in mail.outbox] == ["Transfer expired: Source SA"]


def test_a_reminder_goes_out_once_a_day_before_expiry(start, org, owner, hosting, run_tasks):
    started = start(owner, org, hosting)
    send_transfer_link(actor=owner, transfer=started.transfer, email="recipient@example.com")
    run_tasks()
    mail.outbox.clear()
    assert remind_expiring_transfers() == 0
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=1)):
        assert remind_expiring_transfers() == 1
        assert remind_expiring_transfers() == 0
        run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["owner@example.com", "recipient@example.com"]
    assert all("expire" in m.subject.lower() or "waiting" in m.subject for m in mail.outbox)


def test_the_sweep_task_expires_and_reminds(start, org, owner, hosting, run_tasks):
    from handover.transfers.tasks import sweep_transfers

    start(owner, org, hosting)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        sweep_transfers.enqueue()
        run_tasks()
    assert Transfer.objects.get().state == TransferState.EXPIRED


def test_an_initiator_losing_rights_has_their_pending_transfers_cancelled(
    start, org, owner, admin, hosting, domain, run_tasks
):
    mine = start(admin, org, hosting).transfer
    theirs = start(owner, org, domain).transfer
    cancel_transfers_started_by(
        user=admin, organization=org, reason="Adam Admin is no longer an administrator."
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == (TransferState.CANCELLED, TransferState.PENDING)
    event = AuditEvent.objects.get(action=AuditAction.TRANSFER_CANCELLED)
    assert event.actor is None and event.details["initiator"] == "admin@example.com"
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.com", "owner@example.com"]


@pytest.mark.parametrize("email", ["not an email", "x" * 250 + "@example.com", "a\x00@example.com"])
def test_sending_to_something_that_is_not_an_address_is_refused(start, org, owner, hosting, email):
    started = start(owner, org, hosting)
    with pytest.raises(InvalidInput) as refused:
        send_transfer_link(actor=owner, transfer=started.transfer, email=email)
    assert refused.value.status == 400
    assert Transfer.objects.get().bound_email == ""
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSFER_LINK_SENT).exists()
