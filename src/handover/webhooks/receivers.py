"""What webhooks do when the apps below them announce a change (connected in WebhooksConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from handover.accounts.models import User
from handover.organizations.models import Organization
from handover.organizations.signals import admin_rights_lost
from handover.transfers.models import Transfer
from handover.transfers.signals import transfer_changed
from handover.webhooks.services import record_transfer_change, remove_webhooks_registered_by


@receiver(transfer_changed, dispatch_uid="webhooks.record_transfer_change")
def write_outbox(*, transfer: Transfer, change: str, **kwargs: Any) -> None:
    """The change's events and deliveries are written in the transaction of the change (the outbox)."""
    record_transfer_change(transfer=transfer, change=change)


@receiver(admin_rights_lost, dispatch_uid="webhooks.remove_on_admin_rights_lost")
def remove_their_endpoints(*, user: User, organization: Organization, reason: str, **kwargs: Any) -> None:
    """An endpoint is a capability of whoever registered it: it dies with their right (SPEC §6.2)."""
    remove_webhooks_registered_by(user=user, organization=organization, reason=reason)
