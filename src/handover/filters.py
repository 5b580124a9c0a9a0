"""The filters of a list, declared once with django-filter and shared by its page, its API operation
and the selector that applies them.

Each list declares a `FilterSet` beside its models (`products/filters.py`…): the names of its query
parameters, how each is parsed and checked, its label on the page, and how it narrows the rows. The
selector applies it (`apply`, which refuses invalid values); a page shows the refused values on its
filter form and applies the others (`accepted`); the API answers the refusal as JSON.
"""

import copy
import datetime
from collections.abc import Callable
from typing import Any, Self

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxValueValidator, RegexValidator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from handover.errors import DomainError, InvalidFields
from handover.text import SINGLE_LINE_PATTERN

# The last day whose next day can still be represented: a range "until" a day ends at the next one.
LAST_DAY = datetime.date.max - datetime.timedelta(days=1)

Refusal = Callable[[str], DomainError]


class FilterSet(django_filters.FilterSet):
    """A list's filters. `refusals` names the domain error that refuses a value, by (filter name,
    validation error code), for the values a rule of the domain refuses rather than their form (e.g.
    an unknown product type answers `unknown_product_type`); every other refused value is
    InvalidFields."""

    refusals: dict[tuple[str, str], Refusal] = {}

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """`queryset` narrowed by every filter given; raises `refusal()` if any value is refused."""
        if not self.is_bound:
            return queryset
        refusal = self.refusal()
        if refusal is not None:
            raise refusal
        return self.filter_queryset(queryset)

    def refusal(self) -> DomainError | None:
        """Why some values are refused, each named in `fields`; None when every value is accepted."""
        if not self.is_bound or self.is_valid():
            return None
        fields: dict[str, str] = {}
        chosen: DomainError | None = None
        for name, errors in self.errors.as_data().items():
            for error in errors:
                make = self.refusals.get((name, str(error.code)))
                if make is not None:
                    ruled = make(str(self.data.get(name, "")))
                    fields[name] = ruled.detail
                    chosen = chosen or ruled
            fields.setdefault(name, " ".join(message for error in errors for message in error.messages))
        refused = chosen or InvalidFields()
        refused.fields = fields
        return refused

    def accepted(self) -> Self:
        """The same filters less the refused values: what a page applies while it shows why the others
        were refused."""
        if not self.is_bound or self.is_valid():
            return self
        data = QueryDict(mutable=True)
        if NON_FIELD_ERRORS not in self.errors:
            data.update(self.data)
            for name in self.errors:
                data.pop(name, None)
        kept = copy.copy(self)
        kept.data = data
        del kept._form
        return kept


class TextFilter(django_filters.CharFilter):
    """One line of text, of at most `max_length` characters."""

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [RegexValidator(SINGLE_LINE_PATTERN, _("Enter one line of text."))])
        super().__init__(*args, max_length=max_length, **kwargs)


class DayFilter(django_filters.DateFilter):
    """A day written YYYY-MM-DD, at most LAST_DAY, so that the day after it exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("validators", [MaxValueValidator(LAST_DAY)])
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(*args, **kwargs)


class YesNoField(forms.ChoiceField):
    """Yes or no, as a select offers them, or any spelling of a boolean an API client sends (`true`,
    `0`, `off`…); cleans to True, False or None (no choice)."""

    YES = frozenset({"yes", "y", "true", "t", "on", "1"})
    NO = frozenset({"no", "n", "false", "f", "off", "0"})

    def to_python(self, value: Any) -> str:
        word = super().to_python(value).strip().lower()
        return "yes" if word in self.YES else "no" if word in self.NO else word

    def clean(self, value: Any) -> bool | None:
        return {"yes": True, "no": False}.get(super().clean(value))


class YesNoFilter(django_filters.Filter):
    """A filter by a yes-or-no question; `yes` and `no` label the choices of the page's select."""

    field_class = YesNoField

    def __init__(self, *args: Any, yes: Any, no: Any, empty_label: Any, **kwargs: Any) -> None:
        kwargs["choices"] = [("", empty_label), ("yes", yes), ("no", no)]
        super().__init__(*args, **kwargs)
