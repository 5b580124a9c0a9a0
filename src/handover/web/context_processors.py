from typing import Any

from django.http import HttpRequest

from handover.organizations.access import permissions_for_templates
from handover.organizations.selectors import memberships_for_user
from handover.transfers.selectors import pending_transfer_count


def layout(request: HttpRequest) -> dict[str, Any]:
    """The sidebar's data: the user's Organizations, the current one's pending transfers, and `may`,
    what the member may do there (`{% if may.manage_transfers %}`)."""
    if not request.user.is_authenticated:
        return {}
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    return {
        "my_memberships": memberships_for_user(user=request.user),  # type: ignore[arg-type]
        "current_organization": organization,
        "current_membership": membership,
        "may": permissions_for_templates(membership),
        "pending_transfers": pending_transfer_count(organization=organization) if organization else 0,
    }
