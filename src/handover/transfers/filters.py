"""The filters of an Organization's transfers: the history on its page, and its API operation."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from handover.filters import FilterSet
from handover.transfers.models import Transfer, TransferState

OUTGOING, INCOMING = "outgoing", "incoming"


class TransferFilter(FilterSet):
    """`state`, and `direction` (`outgoing` or `incoming`, seen from the Organization whose transfers
    are listed: the selector annotates each row with it). A `history` leaves out pending transfers
    and offers no pending state."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=TransferState.choices, empty_label=_("All"))
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

    def filter_queryset(self, queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
        transfers = super().filter_queryset(queryset)
        return transfers.exclude(state=TransferState.PENDING) if self.history else transfers
