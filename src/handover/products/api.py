"""The product endpoints of /api/v1/, and the shapes the `product` and `access` commands print."""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Router, Schema
from ninja.pagination import paginate

from handover.organizations.http import AuthedRequest, api_member
from handover.products.catalogue import type_label
from handover.products.filters import ProductFilter
from handover.products.models import Product, ProductAccess
from handover.products.selectors import is_transferable, products_visible_to
from handover.schemas import Pagination, errors, query_filters, query_parameters
from handover.transfers.selectors import with_pending_transfer

router = Router()

ProductStatusName = Literal["active", "suspended", "expired"]
AccessLevelName = Literal["manage", "use"]


class ProductOut(Schema):
    """A product as lists show it. `transferable`: its type may move and it is active;
    `pending_transfer_id`: the pending transfer it is part of, if any."""

    id: UUID
    name: str
    type: str
    type_label: str
    status: ProductStatusName
    transferable: bool
    created_at: datetime
    renews_on: date | None
    pending_transfer_id: UUID | None

    @staticmethod
    def resolve_type_label(obj: Product) -> str:
        return str(type_label(obj.type))

    @staticmethod
    def resolve_transferable(obj: Product) -> bool:
        return is_transferable(obj)

    @staticmethod
    def resolve_pending_transfer_id(obj: Product) -> UUID | None:
        return getattr(obj, "pending_transfer_id", None)


class AccessUserRef(Schema):
    id: UUID
    email: str


class AccessTeamRef(Schema):
    id: UUID
    name: str


class AccessOut(Schema):
    """One right on a product: of a `user` or of a `team` (the other is null)."""

    id: UUID
    product_id: UUID
    user: AccessUserRef | None
    team: AccessTeamRef | None
    level: AccessLevelName
    created_at: datetime


@router.get(
    "/organizations/{org_id}/products",
    response={200: list[ProductOut], **errors(400, 401, 404)},
    summary="The Organization's products that you may see, by name",
    description=(
        "Administrators see every product; a collaborator sees those granted to them or to one of their "
        "teams. Filter by `type` (a catalogue code), `status`, `transferable` (a type that may move and "
        "an active product) and `q` (part of the name)."
    ),
    openapi_extra=query_parameters(ProductFilter),
)
@paginate(Pagination)
def list_products(request: AuthedRequest, org_id: UUID) -> Any:
    organization = api_member(request, org_id).organization
    filters = query_filters(ProductFilter, request)
    return with_pending_transfer(
        products_visible_to(user=request.auth, organization=organization, filters=filters)
    )


def access_out(access: ProductAccess) -> dict[str, Any]:
    """The `AccessOut` shape of one access row, as JSON-ready values."""
    return AccessOut.model_validate(access).model_dump(mode="json")


def product_out(product: Product) -> dict[str, Any]:
    """The `ProductOut` shape of one product, as JSON-ready values."""
    return ProductOut.model_validate(product).model_dump(mode="json")
