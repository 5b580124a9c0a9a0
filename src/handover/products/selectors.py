"""Reads of products, scoped to what the user may see, with their joins declared.

Administrators and legal representatives see every product of their Organization; a collaborator
sees only the products granted to them directly or through one of their teams.
"""

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, UUIDField
from django.utils.translation import gettext_lazy as _

from handover.accounts.models import User
from handover.organizations.models import Membership, Organization, Team
from handover.organizations.services import require_member
from handover.products.catalogue import product_types, transferable_type_codes
from handover.products.errors import (
    ProductNotFound,
    UnknownProductStatus,
    UnknownProductType,
)
from handover.products.models import Product, ProductAccess, ProductStatus
from handover.transfers.models import TransferItem

NOT_TRANSFERABLE = _("This type of product cannot be transferred.")
IN_PENDING_TRANSFER = _("This product is already in a pending transfer.")
INELIGIBLE_STATUS = {
    ProductStatus.SUSPENDED: _("A suspended product cannot be transferred."),
    ProductStatus.EXPIRED: _("An expired product cannot be transferred."),
}


def _eligible() -> Q:
    return Q(type__in=transferable_type_codes(), status=ProductStatus.ACTIVE)


def _with_pending_transfer(queryset: QuerySet[Product]) -> QuerySet[Product]:
    pending = TransferItem.objects.filter(product=OuterRef("pk"), pending=True).values("transfer_id")[:1]
    return queryset.annotate(pending_transfer_id=Subquery(pending, output_field=UUIDField()))


def _visible(*, user: User, organization: Organization) -> QuerySet[Product]:
    membership = require_member(user=user, organization=organization)
    products = Product.objects.filter(organization=organization)
    if membership.is_admin:
        return products
    # EXISTS rather than joins, so that a product granted twice (to the user and a team) is listed once.
    granted = ProductAccess.objects.filter(product=OuterRef("pk")).filter(
        Q(user=user) | Q(team__members=user)
    )
    return products.filter(Exists(granted))


def products_visible_to(
    *,
    user: User,
    organization: Organization,
    type: str | None = None,
    transferable: bool | None = None,
    q: str | None = None,
    status: str | None = None,
) -> QuerySet[Product]:
    """The products of `organization` that `user` may see, by name, each annotated with
    `pending_transfer_id` (None unless it is in a pending transfer). `transferable` keeps the
    products whose type may move and that are active (or, when False, the others).

    Raises NotFound for a non-member, UnknownProductType and UnknownProductStatus for bad filters.
    """
    products = _visible(user=user, organization=organization)
    if type:
        if type not in product_types():
            raise UnknownProductType(type=type, valid=", ".join(product_types()))
        products = products.filter(type=type)
    if status:
        if status not in ProductStatus.values:
            raise UnknownProductStatus(status=status, valid=", ".join(ProductStatus.values))
        products = products.filter(status=status)
    if transferable is not None:
        products = products.filter(_eligible()) if transferable else products.exclude(_eligible())
    if q and q.strip():
        products = products.filter(name__icontains=q.strip())
    return _with_pending_transfer(products).order_by("name", "id")


def product_get_visible(*, user: User, organization: Organization, product_id: Any) -> Product:
    """One product of `organization` that `user` may see, with its accesses (users and teams) and its
    linked products (those of the same Organization that the user may see) prefetched, and
    `pending_transfer_id`. Raises ProductNotFound otherwise."""
    visible = _visible(user=user, organization=organization)
    accesses = ProductAccess.objects.select_related("user", "team").order_by(
        "level", "created_at"
    )  # manage first
    try:
        product_id = uuid.UUID(str(product_id))
        return (
            _with_pending_transfer(visible)
            .prefetch_related(
                Prefetch("accesses", queryset=accesses),
                Prefetch("linked", queryset=_with_pending_transfer(visible).order_by("name")),
            )
            .get(pk=product_id)
        )
    except (ValueError, Product.DoesNotExist) as exc:
        raise ProductNotFound() from exc


def product_access_get(*, product: Product, access_id: Any) -> ProductAccess:
    """One access row of `product` (with its product, user and team); ProductNotFound otherwise."""
    try:
        return ProductAccess.objects.select_related("product__organization", "user", "team").get(
            product=product, pk=uuid.UUID(str(access_id))
        )
    except (ValueError, ProductAccess.DoesNotExist) as exc:
        raise ProductNotFound() from exc


def access_candidates(*, organization: Organization) -> tuple[list[User], list[Team]]:
    """The members and the teams of `organization` to whom a product right can be granted."""
    members = [
        m.user
        for m in Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__email")
    ]
    teams = list(Team.objects.filter(organization=organization).order_by("name"))
    return members, teams


def product_get_by_id(*, product_id: Any) -> Product:
    """Any product by id, with its Organization, for trusted operators (CLI); ProductNotFound otherwise."""
    try:
        return Product.objects.select_related("organization").get(pk=uuid.UUID(str(product_id)))
    except (ValueError, Product.DoesNotExist) as exc:
        raise ProductNotFound() from exc


def transfer_refusal(product: Product) -> Any:
    """Why `product` cannot be put into a new transfer now, or None: its type's policy, its status,
    or a pending transfer (read from the `pending_transfer_id` annotation of these selectors)."""
    known = product_types().get(product.type)
    if known is None or not known.transferable:
        return known.refusal if known is not None and known.refusal else NOT_TRANSFERABLE
    if product.status != ProductStatus.ACTIVE:
        return INELIGIBLE_STATUS[ProductStatus(product.status)]
    if getattr(product, "pending_transfer_id", None) is not None:
        return IN_PENDING_TRANSFER
    return None


def is_transferable(product: Product) -> bool:
    """As the `transferable` filter: the product's type may move and the product is active."""
    return product.type in transferable_type_codes() and product.status == ProductStatus.ACTIVE


def access_get_for_user(*, product: Product, user: User) -> ProductAccess:
    """The user's own access row on `product` (with its user); ProductNotFound if they have none."""
    access = ProductAccess.objects.select_related("product__organization", "user").filter(
        product=product, user=user
    )
    found = access.first()
    if found is None:
        raise ProductNotFound(
            _("%(email)s has no access of their own to this product.") % {"email": user.email}
        )
    return found
