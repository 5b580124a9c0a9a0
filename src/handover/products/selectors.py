"""Reads of products, scoped by `access` to what the user may see, with their joins declared."""

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from handover.accounts.models import User
from handover.organizations import access
from handover.organizations.models import Membership, Organization, Team
from handover.products.catalogue import transferable_type_codes
from handover.products.errors import ProductNotFound
from handover.products.filters import ProductFilter
from handover.products.models import Product, ProductAccess, ProductStatus

# Products in the order people read their names (`bulk-2` before `bulk-10`, see models.natural_key),
# then by id: a stable order for pages.
BY_NAME = ("name_key", "id")


# The columns the products page sorts by (`?sort=type`, `?sort=-type` for the reverse), each then
# by name.
SORTS = {
    "name": BY_NAME,
    "type": ("type", *BY_NAME),
    "status": ("status", *BY_NAME),
    "renews_on": ("renews_on", *BY_NAME),
}


def sort_products(products: QuerySet[Product], sort: str) -> tuple[QuerySet[Product], str]:
    """`products` sorted by a key of SORTS, reversed by a leading "-"; an unknown key sorts by name.
    Returns the queryset and the key applied."""
    descending = sort.startswith("-")
    fields = SORTS.get(sort.removeprefix("-"))
    if fields is None:
        return products.order_by(*BY_NAME), "name"
    return products.order_by(*(f"-{f}" if descending else f for f in fields)), sort


def _visible(*, user: User, organization: Organization) -> QuerySet[Product]:
    membership = access.require_member(user=user, organization=organization)
    return Product.objects.filter(access.visible_products(membership))


def products_visible_to(
    *, user: User, organization: Organization, filters: ProductFilter | None = None
) -> QuerySet[Product]:
    """The products of `organization` that `user` may see, by name (natural order), narrowed by `filters`.

    Raises NotFound for a non-member, and the refusal of `filters` (e.g. UnknownProductType).
    """
    products = _visible(user=user, organization=organization)
    if filters is not None:
        products = filters.apply(products)
    return products.order_by(*BY_NAME)


def product_get_visible(*, user: User, organization: Organization, product_id: Any) -> Product:
    """One product of `organization` that `user` may see, with its accesses (users and teams) and its
    linked products (those of the same Organization that the user may see) prefetched. Raises
    ProductNotFound otherwise."""
    visible = _visible(user=user, organization=organization)
    accesses = ProductAccess.objects.select_related("user", "team").order_by(
        "level", "created_at"
    )  # manage first
    try:
        product_id = uuid.UUID(str(product_id))
        return visible.prefetch_related(
            Prefetch("accesses", queryset=accesses),
            Prefetch("linked", queryset=visible.order_by(*BY_NAME)),
        ).get(pk=product_id)
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
