"""The audit log endpoint of /api/v1/."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Router, Schema
from ninja.pagination import paginate

from handover.audit.filters import AuditFilter
from handover.audit.models import AuditEvent
from handover.audit.selectors import audit_events_for_organization
from handover.organizations.http import AuthedRequest, api_member
from handover.schemas import Pagination, errors, query_filters, query_parameters

router = Router()


class AuditEventOut(Schema):
    """One event: who (`actor_email`, null for the system) did what (`action`, `resource:verb`), when,
    on which object (`target_*`), with which details, from which address."""

    id: UUID
    created_at: datetime
    action: str
    actor_email: str | None
    target_type: str
    target_id: str
    target_label: str
    details: dict[str, Any]
    ip: str | None

    @staticmethod
    def resolve_actor_email(obj: AuditEvent) -> str | None:
        return obj.actor_label or None


@router.get(
    "/organizations/{org_id}/audit-events",
    response={200: list[AuditEventOut], **errors(400, 401, 403, 404)},
    summary="The Organization's audit log, newest first",
    description="For administrators and legal representatives; collaborators get 403.",
    openapi_extra=query_parameters(
        AuditFilter,
        actor="Part of the actor's email.",
        since="From this day (included).",
        until="To this day (included).",
    ),
)
@paginate(Pagination)
def list_audit_events(request: AuthedRequest, org_id: UUID) -> Any:
    organization = api_member(request, org_id).organization
    filters = query_filters(AuditFilter, request)
    return audit_events_for_organization(user=request.auth, organization=organization, filters=filters)
