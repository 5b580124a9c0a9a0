"""Reads of transfers, each with its joins declared so that query counts never grow with rows."""

from handover.organizations.models import Organization
from handover.transfers.models import Transfer, TransferState


def pending_transfer_count(*, organization: Organization) -> int:
    """How many transfers out of `organization` are pending (the sidebar badge)."""
    return Transfer.objects.filter(source_organization=organization, state=TransferState.PENDING).count()
