"""Reads of an Organization's audit log, for its administrators only."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.errors import InvalidDateRange, UnknownAuditAction
from handover.audit.models import AuditAction, AuditEvent
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.models import Organization


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events_for_organization(
    *,
    user: User,
    organization: Organization,
    action: str | None = None,
    actor: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    target_id: str | None = None,
) -> QuerySet[AuditEvent]:
    """The events of `organization`, newest first, filtered by exact `action`, by `actor` (part of the
    actor's email), by days `since`…`until` (both included, in the server's time zone) and by exact
    `target_id`. Raises NotFound for non-members, PermissionDenied for members who may not see the
    log, and UnknownAuditAction or InvalidDateRange for bad filters."""
    access.require(user=user, organization=organization, permission=Permission.VIEW_AUDIT_LOG)
    events = AuditEvent.objects.filter(organization=organization)
    if action:
        if action not in AuditAction.values:
            message = str(UnknownAuditAction.message) % {"action": action}
            raise UnknownAuditAction(action=action, fields={"action": message})
        events = events.filter(action=action)
    if actor and actor.strip():
        events = events.filter(actor_label__icontains=actor.strip())
    if since and until and since > until:
        raise InvalidDateRange(fields={"until": str(InvalidDateRange.message)})
    # Bounds as instants rather than `__date` lookups, so that the (organization, created_at) index serves.
    if since:
        events = events.filter(created_at__gte=_start_of(since))
    if until:
        events = events.filter(created_at__lt=_start_of(until + datetime.timedelta(days=1)))
    if target_id and target_id.strip():
        events = events.filter(target_id=target_id.strip())
    return events.order_by("-created_at", "-id")
