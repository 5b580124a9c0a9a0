"""Building blocks every router of the API shares: the error shape, input schemas that refuse unknown
fields, text fields that refuse control characters, and bounded pagination.

Kept apart from `handover.api` (which imports every router) so that routers can import them without
an import cycle.
"""

import re
from typing import Annotated, Any, TypeVar
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, ConfigDict, StrictStr, StringConstraints
from pydantic.json_schema import WithJsonSchema

from handover.errors import InvalidFields
from handover.filters import FilterSet, YesNoField
from handover.text import MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN


def _no_surrogates(value: str) -> str:
    # The pattern is checked by pydantic's regex engine, which cannot see lone surrogates.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Text must be valid Unicode.") from exc
    return value


def single_line(max_length: int, min_length: int = 0) -> Any:
    """A string of one line, of at most `max_length` characters."""
    return Annotated[
        StrictStr,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=SINGLE_LINE_PATTERN),
        AfterValidator(_no_surrogates),
    ]


def multi_line(max_length: int) -> Any:
    """Free text (tabs and line breaks allowed), of at most `max_length` characters."""
    return Annotated[
        StrictStr,
        StringConstraints(max_length=max_length, pattern=MULTI_LINE_PATTERN),
        AfterValidator(_no_surrogates),
    ]


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValueError("Enter a valid email address.") from exc
    return value


Email = Annotated[
    StrictStr,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


F = TypeVar("F", bound=FilterSet)
EMPTY_PARAMETER = _("Give a value, or leave the parameter out.")


def query_parameters(filterset: type[FilterSet], **descriptions: str) -> dict[str, Any]:
    """The `openapi_extra` of an operation that reads `filterset` from its query string: one optional
    parameter per filter, described by `descriptions` where its name is not enough."""
    parameters = []
    for name, filter_ in filterset.base_filters.items():
        parameter = {"in": "query", "name": name, "required": False, "schema": _query_schema(filter_.field)}
        if name in descriptions:
            parameter["description"] = descriptions[name]
        parameters.append(parameter)
    return {"parameters": parameters}


def query_filters(filterset: type[F], request: HttpRequest, **options: Any) -> F:
    """`filterset` read from the query string as `query_parameters` documents it: a parameter given
    empty is refused unless it is free text. (On a page, empty means "any": what a select's first
    option sends; an API client leaves the parameter out.)"""
    refused = {
        name: str(EMPTY_PARAMETER)
        for name, filter_ in filterset.base_filters.items()
        if request.GET.get(name) == "" and not _free_text(_query_schema(filter_.field))
    }
    if refused:
        raise InvalidFields(fields=refused)
    return filterset(request.GET, **options)


def _free_text(schema: dict[str, Any]) -> bool:
    return schema["type"] == "string" and "enum" not in schema and "format" not in schema


def _query_schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, YesNoField):
        return {"type": "boolean"}
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        return {"type": "string", "enum": [str(value) for value, _label in choices if value != ""]}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    schema: dict[str, Any] = {"type": "string"}
    if isinstance(field, forms.CharField) and field.max_length is not None:
        schema["maxLength"] = field.max_length
    for validator in field.validators:
        if isinstance(validator, RegexValidator):
            schema["pattern"] = re.compile(validator.regex).pattern
    return schema


class Input(Schema):
    """Base of every request body: unknown fields are refused, not ignored (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    """Every failure, whatever its cause, answers this shape."""

    code: str = Field(..., description="A stable code, e.g. `not_found`, `transfer_expired`.")
    detail: str = Field(..., description="A sentence for humans, in the request's language.")
    fields: dict[str, Any] = Field(
        default_factory=dict, description="Per input field, what is wrong with it (may be empty)."
    )


def errors(*statuses: int) -> dict[int, type[Error]]:
    """The `response=` entries declaring that an operation may answer these statuses with an Error."""
    return dict.fromkeys(statuses, Error)


PAGE_DEFAULT = 50
PAGE_MAX = 200
OFFSET_MAX = 2**31 - 1


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` answering `{items, count}`; both bounded, so no value reaches the database
    as an out-of-range integer."""

    class Input(Schema):
        limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="How many items, at most.")
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description="How many items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_limit", PAGE_MAX)
        super().__init__(**kwargs)


class OrganizationRef(Schema):
    """An Organization, as other shapes name it."""

    id: UUID
    name: str


class UserRef(Schema):
    """A user, as other shapes name them."""

    id: UUID
    email: str
    name: str
