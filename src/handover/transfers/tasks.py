"""Background work of transfers: emails, queued inside the transaction that caused them, and the sweep."""

from django.core import mail
from django_tasks import task

from handover.accounts.models import User
from handover.hashing import hash_secret
from handover.transfers import emails, links
from handover.transfers.models import Transfer
from handover.transfers.selectors import transfer_get


def _transfer(transfer_id: str) -> Transfer:
    """The transfer with its people, Organizations and first products (two queries)."""
    return transfer_get(transfer_id=transfer_id)


@task()
def send_transfer_link_email(
    *, transfer_id: str, nonce: str, email: str, message: str, sender_id: str
) -> bool:
    """Send the link derived from `nonce`, unless the link was replaced since (a dead link helps no one)."""
    transfer = _transfer(transfer_id)
    token = links.link_secret(transfer.id, nonce)
    if not transfer.is_pending or transfer.link_hash != hash_secret(token):
        return False
    sender = User.objects.get(pk=sender_id)
    emails.link_email(
        transfer, link=links.link_url(token), email=email, message=message, sender=sender
    ).send()
    return True


@task()
def send_transfer_completed_emails(*, transfer_id: str, lost_access_user_ids: list[str]) -> int:
    transfer = _transfer(transfer_id)
    lost = User.objects.filter(id__in=lost_access_user_ids).order_by("email")
    return mail.get_connection().send_messages(emails.completed_emails(transfer, lost)) or 0


@task()
def send_transfer_ended_email(*, transfer_id: str, to_legal_representatives: bool = False) -> int:
    transfer = _transfer(transfer_id)
    messages = emails.ended_emails(transfer, to_legal_representatives=to_legal_representatives)
    return mail.get_connection().send_messages(messages) or 0


@task()
def send_transfer_reminder_email(*, transfer_id: str) -> int:
    transfer = _transfer(transfer_id)
    if not transfer.is_pending:
        return 0
    return mail.get_connection().send_messages(emails.reminder_emails(transfer)) or 0


@task()
def sweep_transfers() -> dict[str, int]:
    """Expire due transfers, queue the reminders of those expiring within a day, and forget old failed
    link attempts (idempotent: several workers may run it)."""
    # Imported here: the services enqueue these tasks, so they import this module.
    from handover.transfers.services import expire_due_transfers, remind_expiring_transfers
    from handover.transfers.throttle import forget_old_attempts

    return {
        "expired": expire_due_transfers(),
        "reminded": remind_expiring_transfers(),
        "attempts_forgotten": forget_old_attempts(),
    }
