"""Errors in reading the audit log."""

from django.utils.translation import gettext_lazy as _

from handover.errors import InvalidInput


class UnknownAuditAction(InvalidInput):
    code = "unknown_audit_action"
    message = _("Unknown action “%(action)s”.")


class InvalidDateRange(InvalidInput):
    code = "invalid_date_range"
    message = _("The end of the date range is before its start.")
