"""Reads of invoices, for the administrators of the Organization they were issued to."""

import uuid
from typing import Any

from django.db.models import DecimalField, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from handover.accounts.models import User
from handover.billing.errors import InvoiceNotFound
from handover.billing.models import Invoice, InvoiceLine
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.models import Organization


def _with_total(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))
    return queryset.annotate(
        total=Coalesce(Sum("lines__amount"), zero, output_field=DecimalField(max_digits=14, decimal_places=2))
    )


def invoices_for_organization(*, user: User, organization: Organization) -> QuerySet[Invoice]:
    """The invoices issued to `organization`, newest first, each with its `total`. Raises NotFound for
    non-members and PermissionDenied for members who may not see invoices."""
    access.require(user=user, organization=organization, permission=Permission.VIEW_INVOICES)
    return _with_total(Invoice.objects.filter(organization=organization)).order_by("-issued_on", "-number")


def invoice_get(*, user: User, organization: Organization, invoice_id: Any) -> Invoice:
    """One invoice of `organization` with its `total` and its lines (and their products) prefetched.
    Lines keep naming products that have since been transferred to another Organization."""
    invoices = invoices_for_organization(user=user, organization=organization)
    lines = InvoiceLine.objects.select_related("product").order_by("description", "id")
    try:
        return invoices.prefetch_related(Prefetch("lines", queryset=lines)).get(pk=uuid.UUID(str(invoice_id)))
    except (ValueError, Invoice.DoesNotExist) as exc:
        raise InvoiceNotFound() from exc
