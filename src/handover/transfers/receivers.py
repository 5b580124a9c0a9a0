"""What transfers do when the apps below them announce a change (connected in TransfersConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from handover.accounts.models import User
from handover.organizations.models import Organization
from handover.organizations.signals import admin_rights_lost
from handover.transfers.services import cancel_transfers_started_by, revoke_links_issued_by


@receiver(admin_rights_lost, dispatch_uid="transfers.cancel_on_admin_rights_lost")
def cancel_their_transfers(*, user: User, organization: Organization, reason: str, **kwargs: Any) -> None:
    """Rights follow people at once (SPEC §3.10, §6.2): their pending transfers out of the
    Organization are cancelled in the transaction that took their rights, and the legal
    representatives told; the links they renewed or sent for others' transfers die."""
    cancel_transfers_started_by(user=user, organization=organization, reason=reason)
    revoke_links_issued_by(user=user, organization=organization, reason=reason)
