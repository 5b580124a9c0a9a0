"""The invoice endpoints of /api/v1/."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Router, Schema
from ninja.pagination import paginate

from handover.billing.models import Invoice
from handover.billing.selectors import invoices_for_organization
from handover.organizations.http import AuthedRequest, api_member
from handover.schemas import Pagination, errors

router = Router()


class InvoiceOut(Schema):
    """An invoice; `total` is the sum of its lines, as a decimal string in `currency`."""

    id: UUID
    number: str
    issued_on: date
    currency: str
    total: Decimal
    paid: bool

    @staticmethod
    def resolve_total(obj: Invoice) -> Decimal:
        return Decimal(getattr(obj, "total", 0) or 0).quantize(Decimal("0.01"))


@router.get(
    "/organizations/{org_id}/invoices",
    response={200: list[InvoiceOut], **errors(400, 401, 403, 404)},
    summary="The invoices issued to the Organization, newest first",
    description=(
        "For administrators and legal representatives. Invoices never move with transferred products."
    ),
)
@paginate(Pagination)
def list_invoices(request: AuthedRequest, org_id: UUID) -> Any:
    organization = api_member(request, org_id).organization
    return invoices_for_organization(user=request.auth, organization=organization)
