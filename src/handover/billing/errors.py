"""Errors a caller can cause when issuing invoices."""

from django.utils.translation import gettext_lazy as _

from handover.errors import Conflict, InvalidInput, NotFound


class InvoiceWithoutLines(InvalidInput):
    code = "invoice_without_lines"
    message = _("An invoice needs at least one line.")


class InvalidInvoiceLine(InvalidInput):
    code = "invalid_invoice_line"
    message = _("Line %(n)s: %(problem)s")


class InvoiceNumberTaken(Conflict):
    code = "invoice_number_taken"
    message = _("An invoice numbered “%(number)s” already exists.")


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"
    message = _("This invoice does not exist or is not visible to you.")
