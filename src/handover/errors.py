"""Errors a user can cause, with a stable `code` that the web shows as a message and the API as JSON.

Each subclass sets its HTTP `status` and a translatable `message`; tests import these rather than
copy their text.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    message: Any = _("The request is not valid.")

    def __init__(self, message: Any = None, *, fields: dict[str, Any] | None = None, **params: Any):
        self.params = params
        self.fields = fields or {}
        text = message if message is not None else self.message
        self.detail = str(text) % params if params else str(text)
        super().__init__(self.detail)


class InvalidInput(DomainError):
    code = "invalid"
    status = 400


class InvalidFields(InvalidInput):
    """Values refused by their form or schema, each named in `fields`."""

    message = _("The request is not valid: see `fields`.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    message = _("Your role in this Organization does not allow this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    message = _("This conflicts with the current state.")


class RuleRefused(DomainError):
    code = "refused"
    status = 422
    message = _("This is not allowed.")


class TooManyRequests(DomainError):
    """An action done too often by one user or in one Organization (handover.ratelimits)."""

    code = "too_many_requests"
    status = 429
    message = _("Too many requests. Wait %(minutes)s minutes and try again.")

    def __init__(self, *, retry_after: int):
        self.retry_after = retry_after
        super().__init__(minutes=max(1, -(-retry_after // 60)))
