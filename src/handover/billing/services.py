"""Issuing invoices. Invoices never move: a transfer of their products leaves them where they are."""

import datetime
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.audit.models import AuditAction
from handover.audit.services import record_event
from handover.billing.errors import InvalidInvoiceLine, InvoiceNumberTaken, InvoiceWithoutLines
from handover.billing.models import Invoice, InvoiceLine
from handover.organizations.models import Organization
from handover.products.models import Product

InvoiceLineInput = tuple[Product | None, str, Decimal | int | str]

NOT_THIS_ORGANIZATION = _("the product does not belong to this Organization.")
NO_DESCRIPTION = _("a description of at most 255 characters is required.")
BAD_AMOUNT = _("the amount must be a number with at most two decimals.")
AMOUNT_LIMIT = Decimal("9999999999.99")


def _amount(value: Decimal | int | str) -> Decimal:
    amount = Decimal(str(value).strip())
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) > AMOUNT_LIMIT:
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def _clean_lines(organization: Organization, lines: Iterable[InvoiceLineInput]) -> list[InvoiceLine]:
    rows = []
    for n, (product, description, value) in enumerate(lines, start=1):
        if product is not None and product.organization_id != organization.pk:
            raise InvalidInvoiceLine(n=n, problem=NOT_THIS_ORGANIZATION)
        description = (description or "").strip()
        if not description or len(description) > 255:
            raise InvalidInvoiceLine(n=n, problem=NO_DESCRIPTION)
        try:
            amount = _amount(value)
        except (InvalidOperation, ValueError) as exc:
            raise InvalidInvoiceLine(n=n, problem=BAD_AMOUNT) from exc
        rows.append(InvoiceLine(product=product, description=description, amount=amount))
    if not rows:
        raise InvoiceWithoutLines()
    return rows


def _new_number(issued_on: datetime.date) -> str:
    # Random rather than sequential: numbers are seen outside and must not reveal the invoice volume.
    return f"INV-{issued_on:%Y%m}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def issue_invoice(
    *,
    organization: Organization,
    lines: Iterable[InvoiceLineInput],
    number: str | None = None,
    issued_on: datetime.date | None = None,
) -> Invoice:
    """Issue an invoice to `organization` with `lines` of (product or None, description, amount); the
    number is generated unless given. An operator's action: the audit event has no actor.

    Raises InvoiceWithoutLines, InvalidInvoiceLine (a product of another Organization, an empty
    description, a bad amount) and InvoiceNumberTaken.
    """
    rows = _clean_lines(organization, lines)
    issued_on = issued_on or timezone.localdate()
    number = (number or "").strip() or _new_number(issued_on)
    if Invoice.objects.filter(number=number).exists():
        raise InvoiceNumberTaken(number=number)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(organization=organization, number=number, issued_on=issued_on)
    except IntegrityError as exc:
        raise InvoiceNumberTaken(number=number) from exc
    for row in rows:
        row.invoice = invoice
    InvoiceLine.objects.bulk_create(rows)
    total = sum((row.amount for row in rows), Decimal("0.00"))
    record_event(
        actor=None,
        organization=organization,
        action=AuditAction.INVOICE_ISSUED,
        target=invoice,
        details={"number": number, "total": str(total), "currency": invoice.currency, "lines": len(rows)},
    )
    return invoice
