import csv
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from handover.audit.filters import AuditFilter
from handover.audit.models import AuditEvent
from handover.audit.selectors import audit_events_for_organization
from handover.organizations.access import Permission
from handover.organizations.http import MemberRequest, organization_page

PAGE_SIZE = 50
CSV_COLUMNS = ["created_at", "action", "actor", "target_type", "target_id", "target", "details", "ip"]


def _events(request: MemberRequest, filters: AuditFilter) -> QuerySet[AuditEvent]:
    return audit_events_for_organization(
        user=request.user, organization=request.organization, filters=filters
    )


def _events_page(request: MemberRequest, filters: AuditFilter, status: int = 200) -> HttpResponse:
    """The log, newest first, paginated, filtered by the accepted filters; the refused ones shown."""
    page = Paginator(_events(request, filters.accepted()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "audit", "filters": filters, "page": page}
    return render(request, "audit/events.html", context, status=status)


@organization_page(Permission.VIEW_AUDIT_LOG)
def events(request: MemberRequest) -> HttpResponse:
    """The Organization's audit log (administrators only)."""
    return _events_page(request, AuditFilter(request.GET))


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula: neutralise it (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    event: AuditEvent
    for event in events.iterator(chunk_size=2000):
        yield [
            event.created_at.isoformat(),
            event.action,
            _cell(event.actor_label),
            event.target_type,
            event.target_id,
            _cell(event.target_label),
            _cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
            event.ip or "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@organization_page(Permission.VIEW_AUDIT_LOG)
def export(request: MemberRequest) -> HttpResponse:
    """The filtered audit log as CSV (administrators only), streamed so that a long log fits in memory.

    An export is what was asked or nothing: with a refused filter, the log's page says why (400)."""
    filters = AuditFilter(request.GET)
    refusal = filters.refusal()
    if refusal is not None:
        return _events_page(request, filters, status=refusal.status)
    events = _events(request, filters)
    writer = csv.writer(_Echo())
    name = slugify(request.organization.name) or "organization"
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _rows(events)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    # Streamed: an HttpResponseBase, which Django serves like any response.
    return response  # type: ignore[return-value]
