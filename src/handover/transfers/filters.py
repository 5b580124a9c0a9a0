"""The filters of an Organization's transfers: the history on its page, and its API operation."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.filters import FilterSet
from handover.transfers.models import Transfer, TransferState

OUTGOING, INCOMING = "outgoing", "incoming"


class TransferFilter(FilterSet):
    """`state`, and `direction` (`outgoing` or `incoming`, seen from the Organization whose transfers
    are listed: the selector annotates each row with it). A `history` leaves out pending transfers
    and offers no pending state."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=TransferState.choices, empty_label=_("All"), method="filter_state"
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"),
        choices=[(OUTGOING, _("Outgoing")), (INCOMING, _("Incoming"))],
        empty_label=_("Incoming and outgoing"),
    )

    class Meta:
        model = Transfer
        fields: list[str] = []

    def __init__(self, *args: Any, history: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.history = history
        if history:
            state = self.filters["state"].field
            state.choices = [c for c in TransferState.choices if c[0] != TransferState.PENDING]

    def filter_state(self, queryset: QuerySet[Transfer], name: str, value: str) -> QuerySet[Transfer]:
        """By the state as readers see it (`Transfer.current_state`): past its expiry a pending transfer
        is expired, whether or not the sweep has marked it yet."""
        if value == TransferState.PENDING:
            return queryset.filter(still_pending())
        if value == TransferState.EXPIRED:
            return queryset.filter(Q(state=TransferState.EXPIRED) | expired_unswept())
        return queryset.filter(state=value)

    def filter_queryset(self, queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
        transfers = super().filter_queryset(queryset)
        return transfers.exclude(still_pending()) if self.history else transfers


def still_pending() -> Q:
    """The transfers that are pending now: not over, and not past their expiry."""
    return Q(state=TransferState.PENDING, expires_at__gt=timezone.now())


def expired_unswept() -> Q:
    """The pending transfers past their expiry that the sweep has not marked yet."""
    return Q(state=TransferState.PENDING, expires_at__lte=timezone.now())
