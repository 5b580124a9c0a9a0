from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from handover.organizations.access import permissions_for_templates
from handover.organizations.http import SESSION_KEY
from handover.organizations.selectors import memberships_for_user
from handover.transfers.selectors import transfers_badge


def layout(request: HttpRequest) -> dict[str, Any]:
    """The sidebar's data: the user's Organizations, the transfers icon (its badge: one query, once per
    request, however many templates ask), and `may`, what the member may do there
    (`{% if may.manage_transfers %}`)."""
    if not request.user.is_authenticated:
        return {}
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    memberships = SimpleLazyObject(lambda: list(memberships_for_user(user=request.user)))  # type: ignore[arg-type]
    if not hasattr(request, "transfers_badge"):
        request.transfers_badge = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: transfers_badge(user=request.user, organization=organization)  # type: ignore[arg-type]
        )
    return {
        "my_memberships": memberships,
        "current_organization": organization,
        "current_membership": membership,
        "may": permissions_for_templates(membership),
        "transfers_badge": request.transfers_badge,  # type: ignore[attr-defined]
        "transfers_url": lambda: _transfers_url(request, organization, memberships),
    }


def _transfers_url(request: HttpRequest, organization: Any, memberships: Any) -> str:
    """Where the transfers icon leads: the list of the current Organization, outside one that of the
    Organization this session used last (else the first); nowhere without an Organization."""
    if organization is None:
        remembered = request.session.get(SESSION_KEY)
        organization_ids = [m.organization_id for m in memberships]
        chosen = next((i for i in organization_ids if str(i) == remembered), None)
        organization_id = chosen or (organization_ids[0] if organization_ids else None)
    else:
        organization_id = organization.id
    return reverse("transfers:list", args=[organization_id]) if organization_id else ""
