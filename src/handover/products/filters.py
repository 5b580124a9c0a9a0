"""The filters of a products list: its page, its API operation and the transfer's first step."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from handover.filters import FilterSet, TextFilter, YesNoFilter
from handover.products.catalogue import product_types, transferable_type_codes, type_choices
from handover.products.errors import UnknownProductType
from handover.products.models import Product, ProductStatus


def transferable() -> Q:
    """The products whose type may move and that are active."""
    return Q(type__in=transferable_type_codes(), status=ProductStatus.ACTIVE)


def _unknown_type(value: str) -> UnknownProductType:
    return UnknownProductType(type=value, valid=", ".join(product_types()))


def _by_transferable(products: QuerySet[Product], name: str, value: bool) -> QuerySet[Product]:
    return products.filter(transferable()) if value else products.exclude(transferable())


class ProductFilter(FilterSet):
    """`q` (part of the name), `type` (a catalogue code), `status`, `transferable` (a type that may
    move and an active product, or the others)."""

    q = TextFilter(
        label=_("Search"),
        max_length=100,
        lookup_expr="icontains",
        field_name="name",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = django_filters.ChoiceFilter(label=_("Type"), choices=type_choices, empty_label=_("Any"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProductStatus.choices, empty_label=_("Any")
    )
    transferable = YesNoFilter(
        label=pgettext_lazy("noun", "Transfer"),
        yes=_("Transferable"),
        no=_("Not transferable"),
        empty_label=_("Any"),
        method=_by_transferable,
    )

    refusals: Any = {("type", "invalid_choice"): _unknown_type}

    class Meta:
        model = Product
        fields: list[str] = []
