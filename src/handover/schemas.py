"""Building blocks every router of the API shares: the error shape, input schemas that refuse unknown
fields, text fields that refuse control characters, and bounded pagination.

Kept apart from `handover.api` (which imports every router) so that routers can import them without
an import cycle.
"""

import datetime
import re
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictStr, StringConstraints
from pydantic.json_schema import WithJsonSchema

# Characters a text field never holds: C0 controls (but tab and newlines in multi-line text), DEL, and
# lone surrogates, which PostgreSQL cannot store and no keyboard types.
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


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


def _iso_day(value: Any) -> Any:
    # pydantic would also read a number as a Unix timestamp (`?since=0` as 1970-01-01); the documented
    # format is a day, YYYY-MM-DD, and nothing else.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("Enter a day as YYYY-MM-DD.")


Day = Annotated[datetime.date, BeforeValidator(_iso_day)]


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
