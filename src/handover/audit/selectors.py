"""Reads of an Organization's audit log, for its administrators only."""

from django.db.models import QuerySet

from handover.accounts.models import User
from handover.audit.filters import AuditFilter
from handover.audit.models import AuditEvent
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.models import Organization


def audit_events_for_organization(
    *, user: User, organization: Organization, filters: AuditFilter | None = None
) -> QuerySet[AuditEvent]:
    """The events of `organization`, newest first, narrowed by `filters`. Raises NotFound for
    non-members, PermissionDenied for members who may not see the log, and the refusal of `filters`
    (e.g. UnknownAuditAction, InvalidDateRange)."""
    access.require(user=user, organization=organization, permission=Permission.VIEW_AUDIT_LOG)
    events = AuditEvent.objects.filter(organization=organization)
    if filters is not None:
        events = filters.apply(events)
    return events.order_by("-created_at", "-id")
