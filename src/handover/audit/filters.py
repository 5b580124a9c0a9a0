"""The filters of an Organization's audit log: its page, its CSV export and its API operation."""

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.audit.errors import InvalidDateRange, UnknownAuditAction
from handover.audit.models import AuditAction, AuditEvent
from handover.filters import DayFilter, FilterSet, TextFilter


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Bounds as instants rather than `__date` lookups, so that the (organization, created_at) index serves.
def _since(events: QuerySet[AuditEvent], name: str, day: datetime.date) -> QuerySet[AuditEvent]:
    return events.filter(created_at__gte=_start_of(day))


def _until(events: QuerySet[AuditEvent], name: str, day: datetime.date) -> QuerySet[AuditEvent]:
    return events.filter(created_at__lt=_start_of(day + datetime.timedelta(days=1)))


class AuditFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error(
                "until", forms.ValidationError(InvalidDateRange.message, code=InvalidDateRange.code)
            )
        return data


class AuditFilter(FilterSet):
    """`action` (exact), `actor` (part of the actor's email), the days `since`…`until` (both included,
    in the server's time zone) and `target_id` (exact)."""

    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("Any"))
    actor = TextFilter(
        label=_("Actor email"), max_length=254, field_name="actor_label", lookup_expr="icontains"
    )
    since = DayFilter(label=_("From"), method=_since)
    until = DayFilter(label=_("To"), method=_until)
    target_id = TextFilter(label=_("Object id"), max_length=36)

    refusals: Any = {
        ("action", "invalid_choice"): lambda action: UnknownAuditAction(action=action),
        ("until", InvalidDateRange.code): lambda until: InvalidDateRange(),
    }

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditFilterForm
