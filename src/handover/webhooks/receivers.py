"""What webhooks do when transfers announce a change (connected in WebhooksConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from handover.transfers.models import Transfer
from handover.transfers.signals import transfer_changed
from handover.webhooks.services import record_transfer_change


@receiver(transfer_changed, dispatch_uid="webhooks.record_transfer_change")
def write_outbox(*, transfer: Transfer, change: str, **kwargs: Any) -> None:
    """The change's events and deliveries are written in the transaction of the change (the outbox)."""
    record_transfer_change(transfer=transfer, change=change)
