"""What a text field may hold, on every interface: the one rule for names and notes.

Never C0 controls (but tab and line breaks in multi-line text) nor DEL: no keyboard types them, a
terminal runs some of them (the CLI prints names), and PostgreSQL cannot store NUL. The API's schemas
and the lists' filters check the patterns; the services, which the web, the API and the CLI all call,
clean every name (`one_line`) and note (`free_text`) with the functions below, so no interface can
store what another refuses.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from handover.errors import InvalidFields

_LINE_CONTROLS = r"\x00-\x1f\x7f"
_TEXT_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
SINGLE_LINE_PATTERN = rf"^[^{_LINE_CONTROLS}]*$"
MULTI_LINE_PATTERN = rf"^[^{_TEXT_CONTROLS}]*$"

# Notes, messages and reasons: the longest one any interface takes.
TEXT_MAX = 2000

CONTROL_CHARACTERS = _("Control characters are not allowed.")
TOO_LONG = _("Ensure this value has at most %(max)s characters.")


def _collapse(value: str) -> str:
    return " ".join((value or "").split())


def _has_controls(value: str, controls: str) -> bool:
    return re.search(f"[{controls}]", value) is not None


def one_line(value: str, *, field: str) -> str:
    """A name: runs of spaces, tabs and line breaks become one space, trimmed. Refused (InvalidFields
    naming `field`) if another control character is left."""
    value = _collapse(value)
    if _has_controls(value, _LINE_CONTROLS):
        raise InvalidFields(fields={field: str(CONTROL_CHARACTERS)})
    return value


def validate_one_line(value: str) -> None:
    """`one_line`'s rule as a form field's validator, for a form that no service of Handover cleans
    (allauth's sign-up)."""
    if _has_controls(_collapse(value), _LINE_CONTROLS):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


def free_text(value: str, *, field: str, max_length: int = TEXT_MAX) -> str:
    """A note, message or reason, trimmed, its tabs and line breaks kept. Refused (InvalidFields naming
    `field`) with another control character or beyond `max_length` characters."""
    value = (value or "").strip()
    if _has_controls(value, _TEXT_CONTROLS):
        raise InvalidFields(fields={field: str(CONTROL_CHARACTERS)})
    if len(value) > max_length:
        raise InvalidFields(fields={field: str(TOO_LONG) % {"max": max_length}})
    return value
