"""Reads of transfers, each with its joins declared so that query counts never grow with rows.

A transfer may hold up to HANDOVER_MAX_PRODUCTS_PER_TRANSFER products (10,000 by default): nothing
here reads all of them into Python. A selection of products stays a queryset (a subquery of the
statements that use it), and answers are bounded: the first FIRST_PRODUCTS products, counts for
the rest.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from handover.accounts.models import User
from handover.billing.models import InvoiceLine
from handover.db import IdList
from handover.errors import NotFound
from handover.hashing import hash_secret
from handover.organizations.access import Permission, require_in_either, role_in, roles_with
from handover.organizations.models import Membership, Organization, Team
from handover.products.catalogue import TransferPolicy, product_types
from handover.products.filters import ProductFilter as ProductFilterSet
from handover.products.filters import transferable
from handover.products.models import Product, ProductAccess, ProductStatus
from handover.products.selectors import BY_NAME, products_visible_to
from handover.transfers.errors import (
    DuplicateProducts,
    NoProductsMatch,
    NoProductsSelected,
    SelectedProductNotFound,
    SelectionChanged,
    SelectionRequired,
    TooManyProducts,
)
from handover.transfers.filters import INCOMING, OUTGOING, TransferFilter, still_pending
from handover.transfers.links import link_secret
from handover.transfers.models import Transfer, TransferItem, TransferState

NOT_TRANSFERABLE = _("This type of product cannot be transferred.")
IN_PENDING_TRANSFER = _("This product is already in a pending transfer.")
INELIGIBLE_STATUS = {
    ProductStatus.SUSPENDED: _("A suspended product cannot be transferred."),
    ProductStatus.EXPIRED: _("An expired product cannot be transferred."),
}
FIRST_PRODUCTS = 50  # products a transfer's answer embeds, product impacts a preview details
NAMED = 5  # products a sentence names before "and N more"


def names_and_more(names: Sequence[str], total: int) -> str:
    """The names joined ("a, b, c"), and "and 97 more" when `total` counts more than were named."""
    listed = ", ".join(names)
    more = total - len(names)
    if more <= 0:
        return listed
    return ngettext("%(names)s and %(count)s more", "%(names)s and %(count)s more", more) % {
        "names": listed,
        "count": more,
    }


# Eligibility ------------------------------------------------------------------------------------


def _pending_items(transfer: Transfer | None = None) -> QuerySet[TransferItem]:
    """The pending items of the product in the outer query, but those of `transfer`: of transfers
    pending now, since an expired transfer frees its products the instant it expires, before the
    sweep marks it (SPEC §6.2)."""
    items = TransferItem.objects.filter(
        product=OuterRef("pk"), pending=True, transfer__expires_at__gt=timezone.now()
    )
    return items.exclude(transfer=transfer) if transfer is not None else items


def _held_by_expired_transfers() -> QuerySet[TransferItem]:
    """The items still marked pending of the product in the outer query whose transfer expired
    without being swept yet: they hold the product in the database's one-pending-transfer index
    until released (services.start_transfer does it)."""
    return TransferItem.objects.filter(
        product=OuterRef("pk"), pending=True, transfer__expires_at__lte=timezone.now()
    )


def with_pending_transfer(products: QuerySet[Product], transfer: Transfer | None = None) -> QuerySet[Product]:
    """`products` annotated with `pending_transfer_id`: the pending transfer holding each (other than
    `transfer`), or None."""
    pending = Subquery(_pending_items(transfer).values("transfer_id")[:1], output_field=UUIDField())
    return products.annotate(pending_transfer_id=pending)


def prefetch_pending_transfers(products: Sequence[Product]) -> None:
    """Set `pending_transfer_id` on each of `products` already read (one query), as
    `with_pending_transfer` annotates a queryset."""
    pending = dict(
        TransferItem.objects.filter(
            product__in=[p.pk for p in products], pending=True, transfer__expires_at__gt=timezone.now()
        ).values_list("product_id", "transfer_id")
    )
    for product in products:
        product.pending_transfer_id = pending.get(product.pk)  # type: ignore[attr-defined]


def blocked_condition(transfer: Transfer | None = None) -> Q:
    """The products that cannot be put into a new transfer (or stay in `transfer`): their type or
    their status forbids it, or another pending transfer holds them. As `transfer_refusal`, in SQL."""
    return ~transferable() | Q(Exists(_pending_items(transfer)))


def transfer_refusal(product: Product) -> Any:
    """Why `product` cannot be put into a new transfer now, or None: its type's policy, its status, or
    a pending transfer (read from `pending_transfer_id`, set by the two functions above)."""
    known = product_types().get(product.type)
    if known is None or not known.transferable:
        return known.refusal if known is not None and known.refusal else NOT_TRANSFERABLE
    if product.status != ProductStatus.ACTIVE:
        return INELIGIBLE_STATUS[ProductStatus(product.status)]
    if getattr(product, "pending_transfer_id", None) is not None:
        return IN_PENDING_TRANSFER
    return None


# Selections ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilter:
    """A selection held as a filter ("select all N matching"), resolved on the server when used.

    `transferable=True` keeps the products that can go into a new transfer now (type, status, and no
    pending transfer holding them); False keeps the others.
    """

    type: str | None = None
    q: str | None = None
    transferable: bool | None = None


@dataclass(frozen=True)
class Selection:
    """The products chosen for a transfer, counted and checked to exist, not read: `products` is a
    queryset, used as a subquery by the statements that follow. `blocked` of them cannot go into a
    new transfer now (see `blocked_condition`)."""

    products: QuerySet[Product]
    count: int
    blocked: int
    held_by_expired: int = 0  # products whose expired, unswept transfer still holds them


def _counted(products: QuerySet[Product]) -> tuple[int, int, int]:
    """How many `products`, how many of them are blocked, and how many an expired transfer not yet
    swept still holds: one query."""
    totals = products.aggregate(
        count=Count("id"),
        blocked=Count("id", filter=blocked_condition()),
        held=Count("id", filter=Q(Exists(_held_by_expired_transfers()))),
    )
    return totals["count"], totals["blocked"], totals["held"]


def select_products(
    *,
    user: User,
    organization: Organization,
    product_ids: Sequence[UUID | str] | None = None,
    filter: ProductFilter | None = None,
    expected_count: int | None = None,
) -> Selection:
    """The products of `organization` chosen by their ids or by a filter over those `user` may see.

    Raises SelectionRequired unless exactly one of the two is given, NoProductsSelected (or
    NoProductsMatch) for none, TooManyProducts beyond the maximum, DuplicateProducts,
    SelectedProductNotFound (a NotFound) for an id that is not one of the Organization's products, and
    SelectionChanged when they are not `expected_count` (the number the user was shown).
    """
    selection = _select(user=user, organization=organization, product_ids=product_ids, filter=filter)
    if expected_count is not None and selection.count != expected_count:
        raise SelectionChanged()
    return selection


def _select(
    *,
    user: User,
    organization: Organization,
    product_ids: Sequence[UUID | str] | None,
    filter: ProductFilter | None,
) -> Selection:
    limit = settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER
    if (product_ids is None) == (filter is None):
        raise SelectionRequired()
    if filter is not None:
        products = filtered_products(
            user=user,
            organization=organization,
            type=filter.type or "",
            q=filter.q or "",
            transferable=filter.transferable,
        )
        count, blocked, held = _counted(products)
        if not count:
            raise NoProductsMatch(fields={"filter": str(NoProductsMatch.message)})
        if count > limit:
            raise TooManyProducts(
                limit=limit, fields={"filter": str(TooManyProducts.message) % {"limit": limit}}
            )
        return Selection(products, count, blocked, held)
    assert product_ids is not None  # noqa: S101 (one of the two, checked above)
    if not product_ids:
        raise NoProductsSelected()
    if len(product_ids) > limit:
        raise TooManyProducts(limit=limit)
    try:
        ids = {UUID(str(pid)) for pid in product_ids}
    except ValueError as exc:
        raise SelectedProductNotFound() from exc
    if len(ids) != len(product_ids):
        raise DuplicateProducts()
    products = Product.objects.filter(organization=organization, id__in=IdList(ids)).order_by(*BY_NAME)
    count, blocked, held = _counted(products)
    if count != len(ids):
        raise SelectedProductNotFound()
    return Selection(products, count, blocked, held)


def filtered_products(
    *, user: User, organization: Organization, type: str = "", q: str = "", transferable: bool | None = None
) -> QuerySet[Product]:
    """The products `user` may see in `organization` of `type` whose name holds `q` (either may be
    empty), the transferable ones only, the others, or all (None), in natural order by name."""
    chosen = ProductFilterSet(data={"type": type, "q": q})
    products = products_visible_to(user=user, organization=organization, filters=chosen)
    if transferable is not None:
        may_move = ~blocked_condition()
        products = products.filter(may_move) if transferable else products.exclude(may_move)
    return products


@dataclass(frozen=True)
class Candidates:
    """The products matching a search of the Transfer products page: how many can be transferred now,
    how many cannot (folded behind a count), and the queryset of those the page lists."""

    products: QuerySet[Product]
    transferable: int
    blocked: int


def transfer_candidates(
    *, user: User, organization: Organization, type: str = "", q: str = "", show_blocked: bool = False
) -> Candidates:
    """The products of the Transfer products page for a search (one query for the counts): the
    transferable ones, or all of them with `show_blocked`."""
    matching = filtered_products(user=user, organization=organization, type=type, q=q)
    totals = matching.aggregate(count=Count("id"), blocked=Count("id", filter=blocked_condition()))
    blocked = totals["blocked"]
    products = matching if show_blocked else matching.exclude(blocked_condition())
    return Candidates(products, totals["count"] - blocked, blocked)


def selected_among(products: Sequence[Product], selection: QuerySet[Product]) -> set[str]:
    """The ids of `products` (a page) that are in `selection` (a filter's queryset): one query."""
    ids = [p.pk for p in products]
    return {str(pk) for pk in selection.filter(id__in=ids).values_list("id", flat=True)}


def product_ids(products: QuerySet[Product], *, limit: int) -> list[UUID]:
    """The ids of at most `limit` of `products` (one query): a filter's selection turned into ids."""
    return list(products.values_list("id", flat=True)[:limit])


def linked_left_behind_ids(
    *, organization: Organization, products: QuerySet[Product], limit: int
) -> list[UUID]:
    """The ids of the products of `organization` linked to `products` but not among them (one query)."""
    selected = products.order_by().values("pk")
    linked = Product.linked.through.objects.filter(from_product__in=selected).exclude(to_product__in=selected)
    return product_ids(
        Product.objects.filter(id__in=linked.values("to_product_id"), organization=organization).order_by(
            *BY_NAME
        ),
        limit=limit,
    )


# Transfers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransfersBadge:
    """The figures of the transfers icon, on every page: `count` the transfers pending out of the
    current Organization or waiting for the user (each once), `waiting` those waiting for the user,
    and `waiting_products` their products."""

    count: int
    waiting: int
    waiting_products: int


def _waiting_for(user: User) -> Q:
    """Pending transfers sent to one of the user's verified addresses, not expired, whose link still
    works (on a queryset annotated by `with_link_issuer_role`)."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return still_pending() & Q(bound_email__in=emails) & _live_links()


def transfers_badge(*, user: User, organization: Organization | None = None) -> TransfersBadge:
    """The figures of the transfers icon for `user`, on a page of `organization` or outside one: one
    query."""
    waiting = _waiting_for(user)
    mine = waiting
    if organization is not None:
        mine |= still_pending() & Q(source_organization=organization)
    totals = (
        with_link_issuer_role(Transfer.objects.all())
        .filter(mine)
        .aggregate(
            count=Count("id"),
            waiting=Count("id", filter=waiting),
            products=Sum("product_count", filter=waiting),
        )
    )
    return TransfersBadge(totals["count"], totals["waiting"], totals["products"] or 0)


def _first_items() -> QuerySet[TransferItem]:
    return (
        TransferItem.objects.filter(position__lte=FIRST_PRODUCTS)
        .select_related("product")
        .order_by("position")
    )


def _with_details(queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
    """With the people, the Organizations, and the first FIRST_PRODUCTS items of each transfer as
    `first_items` (one query for a whole page of transfers, on the index of the items' positions)."""
    return queryset.select_related(
        "source_organization", "destination_organization", "created_by", "received_by"
    ).prefetch_related(Prefetch("items", _first_items(), to_attr="first_items"))


def first_items(transfer: Transfer) -> list[TransferItem]:
    """The transfer's first FIRST_PRODUCTS items (by product name at the start), with their products:
    as prefetched by the selectors below (`first_items`), or read now (one query)."""
    prefetched = getattr(transfer, "first_items", None)
    if prefetched is not None:
        return prefetched
    return list(_first_items().filter(transfer=transfer))


def transfer_items(*, transfer: Transfer) -> QuerySet[TransferItem]:
    """Every item of the transfer with its product, in the order of their positions (to be paged: it
    may hold 10,000; a page is an index scan)."""
    return TransferItem.objects.filter(transfer=transfer).select_related("product").order_by("position")


def transfer_type_counts(*, transfer: Transfer) -> list["TypeCount"]:
    """How many of the transfer's products are of each type (one query)."""
    counted = (
        TransferItem.objects.filter(transfer=transfer)
        .values("product__type")
        .annotate(count=Count("id"))
        .order_by("product__type")
    )
    return [TypeCount(row["product__type"], row["count"], 0) for row in counted]


def transfer_products(*, transfer: Transfer) -> QuerySet[Product]:
    """Every product of the transfer, as a queryset of products (a subquery for set-based reads)."""
    return Product.objects.filter(transfer_items__transfer=transfer).order_by(*BY_NAME)


def transfers_for_organization(
    *, organization: Organization, filters: TransferFilter | None = None
) -> QuerySet[Transfer]:
    """Transfers out of or into `organization`, newest first, with their products (constant queries),
    each annotated with its `direction` from the Organization, narrowed by `filters`."""
    queryset = Transfer.objects.filter(
        Q(source_organization=organization) | Q(destination_organization=organization)
    ).annotate(
        direction=Case(When(source_organization=organization, then=Value(OUTGOING)), default=Value(INCOMING))
    )
    if filters is not None:
        queryset = filters.apply(queryset)
    return _with_details(queryset).order_by("-created_at")


def transfers_waiting_for_user(*, user: User) -> QuerySet[Transfer]:
    """Pending transfers sent to one of the user's verified email addresses."""
    waiting = with_link_issuer_role(Transfer.objects.all()).filter(_waiting_for(user))
    return _with_details(waiting).order_by("expires_at")


def transfer_arrived(*, organization: Organization, transfer_id: Any) -> Transfer | None:
    """The completed transfer `transfer_id` received into `organization`, with its source (one query),
    or None for any other id or none."""
    if not transfer_id:
        return None
    try:
        return (
            Transfer.objects.select_related("source_organization")
            .filter(id=transfer_id, destination_organization=organization, state=TransferState.COMPLETED)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def arrived_with(products: QuerySet[Product], transfer: Transfer) -> QuerySet[Product]:
    """Those of `products` that `transfer` brought."""
    return products.filter(transfer_items__transfer=transfer)


def transfer_get(*, transfer_id: UUID | str | Any) -> Transfer:
    """Any transfer by id, for trusted operators (CLI); NotFound otherwise."""
    try:
        return _with_details(Transfer.objects.all()).get(id=transfer_id)
    except (Transfer.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc


def transfer_token_for_recipient(*, user: User, transfer_id: UUID | str | Any) -> str:
    """The current link secret of a pending transfer sent to one of the user's verified addresses, so
    that "Waiting for you" opens it without the email; NotFound for any other transfer.

    The secret is derived on the server (see links.py) and goes to the session, never to the page.
    """
    try:
        transfer = transfers_waiting_for_user(user=user).get(id=transfer_id)
    except (Transfer.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc
    return link_secret(transfer.id, transfer.link_nonce)


def transfer_get_for_admin(*, user: User, transfer_id: UUID | str | Any) -> Transfer:
    """A transfer seen by a member of its source or destination Organization who may manage
    transfers there.

    Raises NotFound for anyone who belongs to neither, and PermissionDenied for their collaborators:
    a transfer names products a collaborator may not see.
    """

    def role_in(side: str) -> Subquery:
        return Subquery(Membership.objects.filter(organization=OuterRef(side), user=user).values("role")[:1])

    try:
        transfer = (
            _with_details(Transfer.objects.all())
            .annotate(
                source_role=role_in("source_organization"),
                destination_role=role_in("destination_organization"),
            )
            .filter(Q(source_role__isnull=False) | Q(destination_role__isnull=False))
            .get(id=transfer_id)
        )
    except (Transfer.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc
    require_in_either(
        [transfer.source_role, transfer.destination_role],  # type: ignore[attr-defined]
        Permission.MANAGE_TRANSFERS,
    )
    return transfer


def with_link_issuer_role(transfers: QuerySet[Transfer]) -> QuerySet[Transfer]:
    """`transfers` annotated with `link_issuer_role`: the role in the source Organization, now, of
    whoever issued the current link (None when they are no longer a member)."""
    return transfers.annotate(
        link_issuer_role=role_in(OuterRef("source_organization"), OuterRef("link_issued_by"))
    )


def _live_links() -> Q:
    """The pending transfers whose link still works: one was issued, by someone who may still issue
    it (SPEC §6.2). Transfers that are over keep answering their outcome."""
    may_issue = Q(link_issuer_role__in=roles_with(Permission.MANAGE_TRANSFERS))
    return ~Q(state=TransferState.PENDING) | (Q(link_hash__isnull=False) & may_issue)


def transfer_get_by_token(*, token: str) -> Transfer | None:
    """The transfer whose current link is `token`, with its details, or None: also for the link of a
    pending transfer whose issuer lost the right to manage its source's transfers."""
    if not token or len(token) > 200:
        return None
    transfers = with_link_issuer_role(Transfer.objects.filter(link_hash=hash_secret(token)))
    return _with_details(transfers.filter(_live_links())).first()


# A product's history ----------------------------------------------------------------------------


def product_transfer_history(*, product_id: UUID | str) -> list[TransferItem]:
    """Every transfer that held the product (whatever its outcome), oldest first, each item with its
    transfer, the transfer's Organizations and people: the per-product record of the audit trail."""
    try:
        product_id = UUID(str(product_id))
    except ValueError as exc:
        raise NotFound() from exc
    return list(
        TransferItem.objects.filter(product_id=product_id)
        .select_related(
            "transfer__source_organization",
            "transfer__destination_organization",
            "transfer__created_by",
            "transfer__received_by",
        )
        .order_by("transfer__created_at", "transfer_id")
    )


def product_holder_at(*, product: Product, when: datetime.datetime) -> Organization | None:
    """The Organization that held `product` at the instant `when` (None before it existed): the
    destination of the last transfer of it completed by then, or else the source of the first one
    completed after, or else its Organization now."""
    if when < product.created_at:
        return None
    moves = sorted(
        (
            item.transfer
            for item in product_transfer_history(product_id=product.pk)
            if item.transfer.state == TransferState.COMPLETED and item.transfer.completed_at is not None
        ),
        key=lambda transfer: transfer.completed_at,  # type: ignore[arg-type, return-value]
    )
    before = [t for t in moves if t.completed_at <= when]  # type: ignore[operator]
    if before:
        return before[-1].destination_organization
    if moves:
        return moves[0].source_organization
    return product.organization


# Stale products -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staleness:
    """The products of a pending transfer that can no longer move: how many, the first NAMED by name."""

    count: int
    first: list[str]

    @property
    def names(self) -> str:
        if self.first:
            return names_and_more(self.first, self.count)
        return ngettext(
            "%(count)s product that no longer exists", "%(count)s products that no longer exist", self.count
        ) % {"count": self.count}


def transfer_staleness(*, transfer: Transfer, destination: Organization, moved: int) -> Staleness:
    """Inside a receive that moved `moved` of the transfer's products to `destination` (only those
    still in its source and eligible): those left behind, because they left the source, were
    suspended or expired, or were removed since the start."""
    left = transfer_products(transfer=transfer).exclude(organization=destination)
    return Staleness(transfer.product_count - moved, list(left.values_list("name", flat=True)[:NAMED]))


# The impact check -------------------------------------------------------------------------------


class Readiness:
    READY = "ready"
    WARNING = "warning"
    BLOCKED = "blocked"


@dataclass
class ProductImpact:
    """What a transfer means for one product: ready, a warning with its consequences, or blocked."""

    product: Product
    readiness: str = Readiness.READY
    code: str = ""
    reason: str = ""
    consequences: list[str] = field(default_factory=list)
    pending_transfer_id: UUID | None = None


@dataclass(frozen=True)
class Affected:
    """A user or a team touched by a transfer: on how many of its products, the first NAMED named."""

    who: User | Team
    product_count: int
    products: list[Product]

    @property
    def label(self) -> str:
        return self.who.display_name if isinstance(self.who, User) else self.who.name

    @property
    def names(self) -> str:
        return names_and_more([p.name for p in self.products], self.product_count)


@dataclass(frozen=True)
class TypeCount:
    """The products of one type in a selection, and how many of them are blocked."""

    type: str
    count: int
    blocked: int

    @property
    def label(self) -> Any:
        known = product_types().get(self.type)
        return known.label if known else self.type


@dataclass
class Impact:
    """The impact of moving a set of products, computed before anything changes, bounded whatever
    their number: counts for all of them, details for the first FIRST_PRODUCTS (products, blocked
    products, people, teams, linked products)."""

    product_count: int
    by_type: list[TypeCount]
    warning_count: int
    products: list[ProductImpact]
    blocked: list[ProductImpact]
    blocked_count: int
    users_losing_access: list[Affected]
    users_losing_access_count: int
    teams_losing_rights: list[Affected]
    teams_losing_rights_count: int
    users_moving: list[Affected]
    users_moving_count: int
    linked_left_behind: list[Product]
    linked_left_behind_count: int
    invoice_count: int

    @property
    def ready_count(self) -> int:
        return self.product_count - self.blocked_count - self.warning_count

    @property
    def warnings(self) -> list[str]:
        """The concrete consequences, as sentences, plus the two facts that always hold."""
        lines = [
            _("%(user)s will lose access to %(products)s.") % {"user": row.label, "products": row.names}
            for row in self.users_losing_access
        ]
        lines += _others(self.users_losing_access_count, self.users_losing_access, "users_losing")
        lines += [
            _("The team %(team)s will lose its rights on %(products)s.")
            % {"team": row.label, "products": row.names}
            for row in self.teams_losing_rights
        ]
        lines += _others(self.teams_losing_rights_count, self.teams_losing_rights, "teams_losing")
        lines += [
            _(
                "%(user)s keeps using %(products)s and joins the receiving Organization as a "
                "collaborator; their management rights are removed."
            )
            % {"user": row.label, "products": row.names}
            for row in self.users_moving
        ]
        lines += _others(self.users_moving_count, self.users_moving, "users_moving")
        if self.linked_left_behind:
            names = names_and_more([p.name for p in self.linked_left_behind], self.linked_left_behind_count)
            lines.append(
                _("Linked products stay behind unless you add them: %(products)s.") % {"products": names}
            )
        lines.append(
            ngettext(
                "Invoices stay with the sending Organization (%(count)s invoice line names these products).",
                "Invoices stay with the sending Organization (%(count)s invoice lines name these products).",
                self.invoice_count,
            )
            % {"count": self.invoice_count}
        )
        lines.append(str(_("The services keep running: the transfer causes no interruption.")))
        return [str(line) for line in lines]


def _others(total: int, shown: Sequence[Affected], kind: str) -> list[str]:
    """One sentence for the users or teams beyond those named."""
    more = total - len(shown)
    if more <= 0:
        return []
    sentences = {
        "users_losing": ngettext(
            "%(count)s more user will lose access.", "%(count)s more users will lose access.", more
        ),
        "teams_losing": ngettext(
            "%(count)s more team will lose its rights.", "%(count)s more teams will lose their rights.", more
        ),
        "users_moving": ngettext(
            "%(count)s more kDrive user joins the receiving Organization as a collaborator.",
            "%(count)s more kDrive users join the receiving Organization as collaborators.",
            more,
        ),
    }
    return [sentences[kind] % {"count": more}]


def _keep_users_types() -> list[str]:
    return [t.code for t in product_types().values() if t.policy == TransferPolicy.KEEP_USERS]


def product_impacts(
    products: QuerySet[Product], *, limit: int, offset: int = 0, transfer: Transfer | None = None
) -> list[ProductImpact]:
    """The impact on each of `limit` of `products` from `offset` (in their order): two queries."""
    rows = list(with_pending_transfer(products, transfer)[offset : offset + limit])
    accesses = ProductAccess.objects.filter(product__in=[p.pk for p in rows]).select_related("user", "team")
    impacts = {p.pk: ProductImpact(product=p) for p in rows}
    keep_users = set(_keep_users_types())
    for access in accesses.order_by("team__name", "user__email"):
        impact = impacts[access.product_id]
        if access.team is not None:
            impact.consequences.append(str(_("Team %(team)s loses its rights.") % {"team": access.team.name}))
        elif impact.product.type in keep_users:
            impact.consequences.append(
                str(_("%(user)s keeps using it as a collaborator.") % {"user": access.user.display_name})  # type: ignore[union-attr]
            )
        else:
            impact.consequences.append(str(_("%(user)s loses access.") % {"user": access.user.display_name}))  # type: ignore[union-attr]
    for impact in impacts.values():
        refusal = transfer_refusal(impact.product)
        if refusal is not None:
            impact.readiness, impact.reason = Readiness.BLOCKED, str(refusal)
            impact.code = (
                "product_in_pending_transfer"
                if refusal is IN_PENDING_TRANSFER
                else "product_not_transferable"
            )
            impact.pending_transfer_id = impact.product.pending_transfer_id  # type: ignore[attr-defined]
        elif impact.consequences:
            impact.readiness = Readiness.WARNING
    return list(impacts.values())


def _affected(accesses: QuerySet[ProductAccess], who: str, order: str) -> tuple[list[Affected], int]:
    """The users or teams (`who`) of `accesses`, the first FIRST_PRODUCTS by `order` with their first
    NAMED products, and how many there are in all: two queries."""
    groups = list(
        accesses.values(who)
        .annotate(products=Count("product_id"), total=Window(Count("*")))
        .order_by(order, who)[:FIRST_PRODUCTS]
    )
    if not groups:
        return [], 0
    counts = {group[who]: group["products"] for group in groups}
    ranked = (
        accesses.filter(**{f"{who}__in": list(counts)})
        .select_related(who, "product")
        .annotate(
            rank=Window(RowNumber(), partition_by=F(who), order_by=[F("product__name"), F("product_id")])
        )
        .filter(rank__lte=NAMED)
        .order_by("product__name", "product_id")
    )
    named: dict[Any, list[Product]] = defaultdict(list)
    people: dict[Any, Any] = {}
    for access in ranked:
        key = getattr(access, f"{who}_id")
        people[key] = getattr(access, who)
        named[key].append(access.product)
    rows = [Affected(people[key], counts[key], named[key]) for key in counts]
    return rows, groups[0]["total"]


def _users_moving(accesses: QuerySet[ProductAccess]) -> tuple[list[Affected], int]:
    """The users of `accesses` whose products keep their users (kDrive): they join the receiving
    Organization as collaborators."""
    moving = accesses.filter(user__isnull=False, product__type__in=_keep_users_types())
    return _affected(moving, "user", "user__email")


def users_joining(*, transfer: Transfer) -> tuple[list[Affected], int]:
    """Who receiving `transfer` adds to the receiving Organization (the users the sender gave access
    to its kDrives), the first FIRST_PRODUCTS by email, and how many: what a recipient is shown before
    receiving, on the page (through transfer_impact) and in the API's inspect alike."""
    products = transfer_products(transfer=transfer).order_by().values("pk")
    return _users_moving(ProductAccess.objects.filter(product__in=products))


def transfer_impact(
    *, organization: Organization, products: QuerySet[Product], transfer: Transfer | None = None
) -> Impact:
    """The impact check of SPEC §3.1 for `products` (a queryset) leaving `organization`, in a fixed
    number of queries whatever their number. With `transfer`, its own pending items do not count as
    "in another transfer"."""
    ordered = products.order_by(*BY_NAME)
    selected = products.order_by().values("pk")
    accesses = ProductAccess.objects.filter(product__in=selected)
    blocked = blocked_condition(transfer)
    with_access = Q(Exists(ProductAccess.objects.filter(product=OuterRef("pk"))))
    types = list(
        products.order_by()
        .values("type")
        .annotate(
            count=Count("id"),
            blocked=Count("id", filter=blocked),
            warnings=Count("id", filter=~blocked & with_access),
        )
        .order_by("type")
    )
    keep_users = _keep_users_types()
    users_losing = _affected(
        accesses.filter(user__isnull=False).exclude(product__type__in=keep_users), "user", "user__email"
    )
    teams_losing = _affected(accesses.filter(team__isnull=False), "team", "team__name")
    users_moving = _users_moving(accesses)
    linked = Product.linked.through.objects.filter(from_product__in=selected).exclude(to_product__in=selected)
    blocked_count = sum(t["blocked"] for t in types)
    left_behind: list[Product] = list(
        Product.objects.filter(id__in=linked.values("to_product_id"), organization=organization)
        .annotate(total=Window(Count("*")))
        .order_by(*BY_NAME)[:FIRST_PRODUCTS]
    )
    return Impact(
        product_count=sum(t["count"] for t in types),
        by_type=[TypeCount(t["type"], t["count"], t["blocked"]) for t in types],
        warning_count=sum(t["warnings"] for t in types),
        products=product_impacts(ordered, limit=FIRST_PRODUCTS, transfer=transfer),
        blocked=product_impacts(ordered.filter(blocked), limit=FIRST_PRODUCTS, transfer=transfer)
        if blocked_count
        else [],
        blocked_count=blocked_count,
        users_losing_access=users_losing[0],
        users_losing_access_count=users_losing[1],
        teams_losing_rights=teams_losing[0],
        teams_losing_rights_count=teams_losing[1],
        users_moving=users_moving[0],
        users_moving_count=users_moving[1],
        linked_left_behind=left_behind,
        linked_left_behind_count=left_behind[0].total if left_behind else 0,  # type: ignore[attr-defined]
        invoice_count=InvoiceLine.objects.filter(product__in=selected).count(),
    )


def blocked_products(products: QuerySet[Product]) -> list[ProductImpact]:
    """The first FIRST_PRODUCTS of `products` that cannot go into a new transfer, with their reasons
    (two queries)."""
    return product_impacts(products.filter(blocked_condition()).order_by(*BY_NAME), limit=FIRST_PRODUCTS)


@dataclass(frozen=True)
class TransferFigures:
    by_state: dict[str, int]  # every state, 0 included
    products_moved: int  # products of completed transfers


def transfer_figures() -> TransferFigures:
    """Counts over all Organizations, for the operator's metrics (two queries, whatever the rows: the
    products moved are summed from each completed transfer's `product_count`, not counted item by item)."""
    counted = dict(Transfer.objects.order_by().values_list("state").annotate(count=Count("id")))
    moved = Transfer.objects.filter(state=TransferState.COMPLETED).aggregate(moved=Sum("product_count"))[
        "moved"
    ]
    return TransferFigures(
        by_state={state: counted.get(state, 0) for state in TransferState.values},
        products_moved=moved or 0,
    )
