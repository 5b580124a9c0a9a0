"""Reads of transfers, each with its joins declared so that query counts never grow with rows."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, UUIDField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.accounts.models import User
from handover.billing.models import InvoiceLine
from handover.errors import NotFound
from handover.hashing import hash_secret
from handover.organizations.access import Permission, require_in_either
from handover.organizations.models import Membership, Organization, Team
from handover.products.catalogue import TransferPolicy, product_types
from handover.products.models import Product, ProductAccess, ProductStatus
from handover.transfers.links import link_secret
from handover.transfers.models import Transfer, TransferItem, TransferState

NOT_TRANSFERABLE = _("This type of product cannot be transferred.")
IN_PENDING_TRANSFER = _("This product is already in a pending transfer.")
INELIGIBLE_STATUS = {
    ProductStatus.SUSPENDED: _("A suspended product cannot be transferred."),
    ProductStatus.EXPIRED: _("An expired product cannot be transferred."),
}


# Eligibility ------------------------------------------------------------------------------------


def _pending_transfer_of_product() -> Subquery:
    pending = TransferItem.objects.filter(product=OuterRef("pk"), pending=True).values("transfer_id")[:1]
    return Subquery(pending, output_field=UUIDField())


def with_pending_transfer(products: QuerySet[Product]) -> QuerySet[Product]:
    """`products` annotated with `pending_transfer_id`: the pending transfer holding each, or None."""
    return products.annotate(pending_transfer_id=_pending_transfer_of_product())


def prefetch_pending_transfers(products: Sequence[Product]) -> None:
    """Set `pending_transfer_id` on each of `products` already read (one query), as
    `with_pending_transfer` annotates a queryset."""
    pending = dict(
        TransferItem.objects.filter(product__in=[p.pk for p in products], pending=True).values_list(
            "product_id", "transfer_id"
        )
    )
    for product in products:
        product.pending_transfer_id = pending.get(product.pk)  # type: ignore[attr-defined]


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


# Transfers --------------------------------------------------------------------------------------


def pending_transfer_count(*, organization: Organization) -> int:
    """How many transfers out of `organization` are pending (the sidebar badge)."""
    return Transfer.objects.filter(source_organization=organization, state=TransferState.PENDING).count()


def _with_details(queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
    # Items join their products in one query: a second prefetch would send one parameter per product,
    # which SQLite cannot take for a 1,000-product transfer.
    items = TransferItem.objects.select_related("product").order_by("product__name")
    return queryset.select_related(
        "source_organization", "destination_organization", "created_by", "received_by"
    ).prefetch_related(Prefetch("items", items))


def transfers_for_organization(
    *, organization: Organization, state: str | None = None, history: bool = False, direction: str = ""
) -> QuerySet[Transfer]:
    """Transfers out of or into `organization`, newest first, with their products (constant queries).

    `history` leaves out pending ones; `direction` is "outgoing", "incoming" or "" for both.
    """
    sides = {
        "outgoing": Q(source_organization=organization),
        "incoming": Q(destination_organization=organization),
    }
    queryset = Transfer.objects.filter(sides.get(direction) or sides["outgoing"] | sides["incoming"])
    if state:
        queryset = queryset.filter(state=state)
    if history:
        queryset = queryset.exclude(state=TransferState.PENDING)
    return _with_details(queryset.annotate(product_count=Count("items"))).order_by("-created_at")


def transfers_waiting_for_user(*, user: User) -> QuerySet[Transfer]:
    """Pending transfers sent to one of the user's verified email addresses."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return _with_details(
        Transfer.objects.filter(
            state=TransferState.PENDING, bound_email__in=emails, expires_at__gt=timezone.now()
        ).annotate(product_count=Count("items"))
    ).order_by("expires_at")


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


def transfer_get_by_token(*, token: str) -> Transfer | None:
    """The transfer whose current link is `token`, with its details, or None."""
    if not token or len(token) > 200:
        return None
    return _with_details(Transfer.objects.filter(link_hash=hash_secret(token))).first()


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


@dataclass
class Impact:
    """The whole impact of moving a set of products, computed before anything changes."""

    products: list[ProductImpact]
    users_losing_access: dict[User, list[Product]]
    teams_losing_rights: dict[Team, list[Product]]
    users_moving: dict[User, list[Product]]
    linked_left_behind: list[Product]
    invoice_count: int

    @property
    def blocked(self) -> list[ProductImpact]:
        return [p for p in self.products if p.readiness == Readiness.BLOCKED]

    @property
    def warnings(self) -> list[str]:
        """The concrete consequences, as sentences, plus the two facts that always hold."""
        lines = []
        for user, products in self.users_losing_access.items():
            lines.append(
                _("%(user)s will lose access to %(products)s.")
                % {"user": user.display_name, "products": _names(products)}
            )
        for team, products in self.teams_losing_rights.items():
            lines.append(
                _("The team %(team)s will lose its rights on %(products)s.")
                % {"team": team.name, "products": _names(products)}
            )
        for user, products in self.users_moving.items():
            lines.append(
                _(
                    "%(user)s keeps using %(products)s and joins the receiving Organization as a "
                    "collaborator; their management rights are removed."
                )
                % {"user": user.display_name, "products": _names(products)}
            )
        if self.linked_left_behind:
            lines.append(
                _("Linked products stay behind unless you add them: %(products)s.")
                % {"products": _names(self.linked_left_behind)}
            )
        lines.append(
            _("Invoices stay with the sending Organization (%(count)s invoice lines name these products).")
            % {"count": self.invoice_count}
        )
        lines.append(str(_("The services keep running: the transfer causes no interruption.")))
        return [str(line) for line in lines]


def _names(products: Sequence[Product]) -> str:
    return ", ".join(p.name for p in products)


def transfer_impact(
    *, organization: Organization, products: Sequence[Product], transfer: Transfer | None = None
) -> Impact:
    """The impact check of SPEC §3.1 for `products` leaving `organization` (a fixed number of
    queries). With `transfer`, its own pending items do not count as "in another transfer"."""
    ids = [p.id for p in products]
    pending = dict(
        TransferItem.objects.filter(product_id__in=ids, pending=True)
        .exclude(transfer=transfer)
        .values_list("product_id", "transfer_id")
    )
    accesses = ProductAccess.objects.filter(product_id__in=ids).select_related("user", "team")
    linked = Product.linked.through.objects.filter(from_product_id__in=ids).exclude(to_product_id__in=ids)
    left_behind = list(
        Product.objects.filter(id__in=linked.values("to_product_id"), organization=organization).order_by(
            "name"
        )
    )
    invoice_count = InvoiceLine.objects.filter(product_id__in=ids).count()

    by_id = {p.id: ProductImpact(product=p) for p in products}
    users_losing: dict[User, list[Product]] = defaultdict(list)
    teams_losing: dict[Team, list[Product]] = defaultdict(list)
    users_moving: dict[User, list[Product]] = defaultdict(list)
    for access in accesses:
        impact = by_id[access.product_id]
        keeps_users = impact.product.product_type.policy == TransferPolicy.KEEP_USERS
        if access.team is not None:
            teams_losing[access.team].append(impact.product)
            impact.consequences.append(str(_("Team %(team)s loses its rights.") % {"team": access.team.name}))
            continue
        user = access.user
        assert user is not None  # noqa: S101 (a database check constraint: a user or a team, never neither)
        if keeps_users:
            users_moving[user].append(impact.product)
            impact.consequences.append(
                str(_("%(user)s keeps using it as a collaborator.") % {"user": user.display_name})
            )
        else:
            users_losing[user].append(impact.product)
            impact.consequences.append(str(_("%(user)s loses access.") % {"user": user.display_name}))

    for impact in by_id.values():
        product = impact.product
        product.pending_transfer_id = pending.get(product.id)  # type: ignore[attr-defined]
        refusal = transfer_refusal(product)
        if refusal is not None:
            impact.readiness, impact.reason = Readiness.BLOCKED, str(refusal)
            impact.code = (
                "product_in_pending_transfer"
                if refusal is IN_PENDING_TRANSFER
                else "product_not_transferable"
            )
            impact.pending_transfer_id = pending.get(product.id)
        elif impact.consequences:
            impact.readiness = Readiness.WARNING
    return Impact(
        products=list(by_id.values()),
        users_losing_access=dict(users_losing),
        teams_losing_rights=dict(teams_losing),
        users_moving=dict(users_moving),
        linked_left_behind=left_behind,
        invoice_count=invoice_count,
    )


@dataclass(frozen=True)
class TransferFigures:
    by_state: dict[str, int]  # every state, 0 included
    products_moved: int  # products of completed transfers


def transfer_figures() -> TransferFigures:
    """Counts over all Organizations, for the operator's metrics (two queries, whatever the rows)."""
    counted = dict(Transfer.objects.order_by().values_list("state").annotate(count=Count("id")))
    return TransferFigures(
        by_state={state: counted.get(state, 0) for state in TransferState.values},
        products_moved=TransferItem.objects.filter(transfer__state=TransferState.COMPLETED).count(),
    )
