"""The transfer endpoints of /api/v1/: parse, call the one service or selector, serialize.

Shapes (SPEC §4, §6.1): a transfer reads as `TransferOut`, with its `product_count` and its first
50 `products` by name (`/transfers/{id}/products`, or `/transfer-links/products` for the recipient,
pages through all of them); `created_by` and `received_by` are `{id, email, name}`; the answers
that create a link (start, new link) add `link` and `token`, which are shown then and never again.
The preview answers counts for the whole selection (per readiness, per type, per user and team) and
details for the first 50 of each list (each product's readiness: `ready`, `warning`, `blocked` with
a `code` and a `reason`; who loses access, which teams lose their rights, who moves with a kDrive,
the linked products left behind), the warnings as sentences, and the invoice lines that stay: its
size does not grow with the number of products.

A selection is `product_ids` (up to HANDOVER_MAX_PRODUCTS_PER_TRANSFER) or a `filter`, resolved on the
server over the products the caller may see.

Link secrets travel in request bodies only. The services limit attempts with unknown secrets and the
emails sent (429 `too_many_attempts` with Retry-After). With session authentication (not with a
personal API token) starting, a new link, sending, completing and receiving need a recent sign-in, as on
the web (401 `reauthentication_required`).
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool, model_validator

from handover.accounts.reauthentication import reauthenticated
from handover.organizations.access import Permission
from handover.organizations.http import AuthedRequest, api_member
from handover.organizations.models import Organization
from handover.schemas import (
    Email,
    Input,
    OrganizationRef,
    Pagination,
    UserRef,
    errors,
    multi_line,
    query_filters,
    query_parameters,
    single_line,
)
from handover.transfers import services
from handover.transfers.filters import TransferFilter
from handover.transfers.models import Transfer, TransferItem
from handover.transfers.selectors import (
    FIRST_PRODUCTS,
    NAMED,
    Affected,
    Impact,
    ProductFilter,
    ProductImpact,
    first_items,
    transfer_get_for_admin,
    transfer_items,
    transfers_for_organization,
    users_joining,
)

router = Router()


TransferStateName = Literal["pending", "completed", "cancelled", "declined", "expired"]
Readiness = Literal["ready", "warning", "blocked"]
MAX_PRODUCTS = settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER
TOKEN_MAX = 200  # a secret is 43 characters; anything much longer is not one


# Shapes ---------------------------------------------------------------------------------------


class TeamRef(Schema):
    id: UUID
    name: str


class ProductRef(Schema):
    id: UUID
    name: str
    type: str


class TransferProduct(ProductRef):
    """One product of a transfer, read from its item."""

    @staticmethod
    def resolve_id(obj: TransferItem) -> UUID:
        return obj.product_id

    @staticmethod
    def resolve_name(obj: TransferItem) -> str:
        return obj.product.name

    @staticmethod
    def resolve_type(obj: TransferItem) -> str:
        return obj.product.type


class TransferOut(Schema):
    """A transfer, as SPEC §4 and §6.1 spell it."""

    id: UUID
    state: TransferStateName
    source_organization: OrganizationRef
    product_count: int = Field(..., description="How many products the transfer holds.")
    products: list[ProductRef] = Field(
        ...,
        description=(
            f"The first {FIRST_PRODUCTS} products by name; `GET /transfers/{{id}}/products` (or "
            "`POST /transfer-links/products` for the recipient) pages through all of them."
        ),
    )
    created_by: UserRef
    created_at: datetime
    expires_at: datetime
    destination_organization: OrganizationRef | None
    received_by: UserRef | None
    completed_at: datetime | None

    @staticmethod
    def resolve_state(obj: Transfer | dict[str, Any]) -> str:
        if isinstance(obj, dict):  # already serialized (TransferWithLink)
            return obj["state"]
        return obj.current_state

    @staticmethod
    def resolve_products(obj: Transfer | dict[str, Any]) -> list[Any]:
        if isinstance(obj, dict):  # already serialized (TransferWithLink)
            return obj["products"]
        return [item.product for item in first_items(obj)]


class TransferWithLink(TransferOut):
    link: str = Field(
        ..., description="The full link to send the recipient: {BASE_URL}/transfers/receive/{token}."
    )
    token: str = Field(
        ..., description="The link's secret, shown this once; the inspect/receive/decline bodies take it."
    )


class ProductImpactOut(Schema):
    id: UUID
    name: str
    type: str
    readiness: Readiness
    code: str | None = Field(
        None, description="Why it is blocked: `product_not_transferable`, `product_in_pending_transfer`."
    )
    reason: str | None = Field(None, description="The reason, for humans.")
    consequences: list[str]
    pending_transfer_id: UUID | None = Field(None, description="The pending transfer already holding it.")


class UserProductsOut(Schema):
    user: UserRef
    product_count: int = Field(..., description="On how many of the selected products.")
    products: list[ProductRef] = Field(..., description=f"The first {NAMED} of them, by name.")


class InspectedTransferOut(TransferOut):
    note: str = Field(..., description="The sender's note to the recipient (may be empty).")
    users_joining: list[UserProductsOut] = Field(
        ...,
        description=(
            f"Who receiving adds to your Organization as collaborators: the users the sender gave access "
            f"to its kDrive products, who keep using them; the first {FIRST_PRODUCTS}, by email."
        ),
    )
    users_joining_count: int = Field(..., description="How many users receiving adds to your Organization.")


class TeamProductsOut(Schema):
    team: TeamRef
    product_count: int = Field(..., description="On how many of the selected products.")
    products: list[ProductRef] = Field(..., description=f"The first {NAMED} of them, by name.")


class TypeCountOut(Schema):
    type: str
    label: str
    count: int
    blocked_count: int


class PreviewOut(Schema):
    """The impact check: what the transfer would do, computed before anything changes. Counts cover
    the whole selection; lists hold the first 50 (by name, or by email for people)."""

    can_start: bool = Field(
        ..., description="True when no product is blocked and outgoing transfers are not locked."
    )
    transfers_locked: bool = Field(
        ..., description="The Organization's legal representatives locked outgoing transfers."
    )
    product_count: int = Field(..., description="How many products are selected.")
    ready_count: int = Field(..., description="Products that move as they are.")
    warning_count: int = Field(..., description="Products whose move changes someone's access.")
    blocked_count: int = Field(..., description="Products that cannot be part of the transfer.")
    by_type: list[TypeCountOut] = Field(..., description="The selected products per type.")
    products: list[ProductImpactOut] = Field(
        ..., description=f"The first {FIRST_PRODUCTS} selected products, by name."
    )
    blocked: list[ProductImpactOut] = Field(
        ..., description=f"The first {FIRST_PRODUCTS} blocked products, by name."
    )
    warnings: list[str] = Field(..., description="The consequences, as sentences to show before starting.")
    users_losing_access: list[UserProductsOut] = Field(
        ..., description=f"The first {FIRST_PRODUCTS} users, by email."
    )
    users_losing_access_count: int
    teams_losing_rights: list[TeamProductsOut] = Field(
        ..., description=f"The first {FIRST_PRODUCTS} teams, by name."
    )
    teams_losing_rights_count: int
    users_moving: list[UserProductsOut] = Field(
        ...,
        description=(
            f"The first {FIRST_PRODUCTS} kDrive users (by email) who join the receiving Organization "
            "as collaborators."
        ),
    )
    users_moving_count: int
    linked_products_left_behind: list[ProductRef] = Field(
        ..., description=f"The first {FIRST_PRODUCTS} products linked to the selection but not in it."
    )
    linked_products_left_behind_count: int
    invoice_line_count: int = Field(
        ..., description="Invoice lines naming these products; invoices never move."
    )


ProductIds = list[UUID]


class ProductFilterIn(Input):
    """The products of the Organization that match, among those the caller may see."""

    type: single_line(32) | None = Field(None, description="A product type code.")  # type: ignore[valid-type]
    q: single_line(100) | None = Field(None, description="Part of the name.")  # type: ignore[valid-type]
    transferable: StrictBool | None = Field(
        None,
        description=(
            "true: only the products that can go into a new transfer now (transferable type, active, "
            "in no pending transfer); false: only the others."
        ),
    )


class SelectionIn(Input):
    """Exactly one of `product_ids` and `filter`."""

    product_ids: Annotated[ProductIds, Field(min_length=1, max_length=MAX_PRODUCTS)] | None = Field(
        None, description="The products, by id."
    )
    filter: ProductFilterIn | None = Field(
        None,
        description=(
            "Instead of `product_ids`: every product that matches, resolved on the server when the "
            "request runs (refused when none matches, or more than the maximum)."
        ),
    )

    @model_validator(mode="after")
    def one_selection(self) -> "SelectionIn":
        if (self.product_ids is None) == (self.filter is None):
            raise ValueError("Give product_ids or filter, not both.")
        return self

    def selection(self) -> dict[str, Any]:
        """The services' selection arguments."""
        if self.filter is not None:
            return {"filter": ProductFilter(**self.filter.model_dump())}
        return {"product_ids": self.product_ids}


class PreviewIn(SelectionIn):
    pass


class StartIn(SelectionIn):
    accept_terms: StrictBool = Field(..., description="The general conditions were read and accepted.")
    acknowledge_warnings: StrictBool = Field(
        ..., description="The preview's warnings were read and validated."
    )
    note: multi_line(2000) = Field("", description="An optional note to the recipient.")  # type: ignore[valid-type]


class SendIn(Input):
    email: Email
    message: multi_line(2000) = ""  # type: ignore[valid-type]
    bind_to_email: StrictBool = Field(
        True, description="Only a signed-in user with this verified email may receive or decline."
    )


class CompleteIn(Input):
    destination_organization_id: UUID
    accept_terms: StrictBool


class CancelIn(Input):
    reason: multi_line(2000) = ""  # type: ignore[valid-type]


Token = single_line(TOKEN_MAX, min_length=1)


class TokenIn(Input):
    token: Token  # type: ignore[valid-type]


class NewOrganizationIn(Input):
    name: single_line(150, min_length=1)  # type: ignore[valid-type]


class ReceiveIn(Input):
    token: Token  # type: ignore[valid-type]
    destination_organization_id: UUID | None = Field(
        None, description="An Organization where you are an admin."
    )
    new_organization: NewOrganizationIn | None = Field(
        None, description="Or a new Organization to create for it."
    )
    accept_terms: StrictBool

    @model_validator(mode="after")
    def one_destination(self) -> "ReceiveIn":
        if self.destination_organization_id is not None and self.new_organization is not None:
            raise ValueError("Give destination_organization_id or new_organization, not both.")
        return self


class DeclineIn(Input):
    token: Token  # type: ignore[valid-type]
    reason: multi_line(2000) = ""  # type: ignore[valid-type]


# Helpers --------------------------------------------------------------------------------------


def _with_link(started: services.StartedTransfer) -> dict[str, Any]:
    data = TransferOut.model_validate(started.transfer).model_dump()
    return {**data, "link": started.link, "token": started.token}


def _product_impact(impact: ProductImpact) -> dict[str, Any]:
    product = impact.product
    return {
        "id": product.id,
        "name": product.name,
        "type": product.type,
        "readiness": impact.readiness,
        "code": impact.code or None,
        "reason": impact.reason or None,
        "consequences": impact.consequences,
        "pending_transfer_id": impact.pending_transfer_id,
    }


def _affected(rows: list[Affected], key: str) -> list[dict[str, Any]]:
    return [{key: row.who, "product_count": row.product_count, "products": row.products} for row in rows]


def _preview(impact: Impact, organization: Organization) -> dict[str, Any]:
    return {
        "can_start": not impact.blocked_count and not organization.transfers_locked,
        "transfers_locked": organization.transfers_locked,
        "product_count": impact.product_count,
        "ready_count": impact.ready_count,
        "warning_count": impact.warning_count,
        "blocked_count": impact.blocked_count,
        "by_type": [
            {"type": t.type, "label": str(t.label), "count": t.count, "blocked_count": t.blocked}
            for t in impact.by_type
        ],
        "products": [_product_impact(p) for p in impact.products],
        "blocked": [_product_impact(p) for p in impact.blocked],
        "warnings": impact.warnings,
        "users_losing_access": _affected(impact.users_losing_access, "user"),
        "users_losing_access_count": impact.users_losing_access_count,
        "teams_losing_rights": _affected(impact.teams_losing_rights, "team"),
        "teams_losing_rights_count": impact.teams_losing_rights_count,
        "users_moving": _affected(impact.users_moving, "user"),
        "users_moving_count": impact.users_moving_count,
        "linked_products_left_behind": impact.linked_left_behind,
        "linked_products_left_behind_count": impact.linked_left_behind_count,
        "invoice_line_count": impact.invoice_count,
    }


# The source side ------------------------------------------------------------------------------


@router.post(
    "/organizations/{org_id}/transfers/preview",
    response={200: PreviewOut, **errors(400, 401, 403, 404)},
    summary="Preview a transfer: its warnings and blocked products; changes nothing",
    description=(
        "For administrators and legal representatives of the Organization. The selection is "
        "`product_ids` or a `filter`, as for starting. Counts cover every selected product; each of "
        "the first 50 is `ready`, `warning` (with its consequences) or `blocked` (with a `code` and a "
        "`reason`), and `blocked` lists the first 50 blocked ones; `warnings` are the sentences to show "
        "before starting. The answer does not grow with the number of products. Products of another "
        "Organization answer 404."
    ),
)
def preview_transfer(request: AuthedRequest, org_id: UUID, payload: PreviewIn) -> Any:
    organization = api_member(request, org_id).organization
    impact = services.preview_transfer(actor=request.auth, organization=organization, **payload.selection())
    return _preview(impact, organization)


@router.post(
    "/organizations/{org_id}/transfers",
    response={201: TransferWithLink, **errors(400, 401, 403, 404, 409, 422)},
    summary="Start a transfer; answers its link and secret, shown this once",
    description=(
        'The products are `product_ids` or a `filter` (`{"filter": {"type": …, "q": …, '
        '"transferable": true}}`), exactly one of the two; the filter is resolved on the server, in the '
        "same transaction, over the products the caller may see (400 `no_products` when none matches, "
        "`too_many_products` beyond HANDOVER_MAX_PRODUCTS_PER_TRANSFER). All or nothing. Needs "
        "`accept_terms` and `acknowledge_warnings` (422 `terms_not_accepted`, `warnings_not_acknowledged`). "
        "Blocked products answer 422 `product_not_transferable` or 409 `product_in_pending_transfer`, "
        "naming the first few in `detail` and the first 50 in `fields.product_ids`; a lock on outgoing "
        "transfers 422 `transfers_locked`. With a session (not a token), a recent password confirmation "
        "is needed."
    ),
)
@reauthenticated
def start_transfer(request: AuthedRequest, org_id: UUID, payload: StartIn) -> Any:
    organization = api_member(request, org_id).organization
    started = services.start_transfer(
        actor=request.auth,
        organization=organization,
        **payload.selection(),
        accept_terms=payload.accept_terms,
        acknowledge_warnings=payload.acknowledge_warnings,
        note=payload.note,
    )
    return Status(201, _with_link(started))


@router.get(
    "/organizations/{org_id}/transfers",
    response={200: list[TransferOut], **errors(400, 401, 403, 404)},
    summary="The Organization's transfers, outgoing and incoming, newest first",
    description=(
        "For administrators and legal representatives. Filter by `state` and by `direction` "
        "(`outgoing` or `incoming`)."
    ),
    openapi_extra=query_parameters(TransferFilter),
)
@paginate(Pagination)
def list_transfers(request: AuthedRequest, org_id: UUID) -> Any:
    organization = api_member(request, org_id, Permission.MANAGE_TRANSFERS).organization
    return transfers_for_organization(
        organization=organization, filters=query_filters(TransferFilter, request)
    )


@router.get(
    "/transfers/{transfer_id}",
    response={200: TransferOut, **errors(400, 401, 403, 404)},
    summary="One transfer, seen by an admin of its source or destination",
)
def get_transfer(request: AuthedRequest, transfer_id: UUID) -> Any:
    return transfer_get_for_admin(user=request.auth, transfer_id=transfer_id)


@router.get(
    "/transfers/{transfer_id}/products",
    response={200: list[TransferProduct], **errors(400, 401, 403, 404)},
    summary="Every product of a transfer, by name, paged",
    description="For administrators and legal representatives of its source or destination.",
)
@paginate(Pagination)
def list_transfer_products(request: AuthedRequest, transfer_id: UUID) -> Any:
    transfer = transfer_get_for_admin(user=request.auth, transfer_id=transfer_id)
    return transfer_items(transfer=transfer)


@router.post(
    "/transfers/{transfer_id}/link",
    response={200: TransferWithLink, **errors(400, 401, 403, 404, 409, 410)},
    summary="A new link; the previous one stops working at once",
    description=(
        "Answers the transfer with its new `link` and `token`, shown this once. With a session (not a "
        "token), a recent password confirmation is needed."
    ),
)
@reauthenticated
def rotate_link(request: AuthedRequest, transfer_id: UUID) -> Any:
    transfer = transfer_get_for_admin(user=request.auth, transfer_id=transfer_id)
    return _with_link(services.rotate_transfer_link(actor=request.auth, transfer=transfer))


@router.post(
    "/transfers/{transfer_id}/send",
    response={200: TransferOut, **errors(400, 401, 403, 404, 409, 410, 429)},
    summary="Email a new link to an address (the previous link stops working)",
    description=(
        "By default the link is bound to `email`: only a signed-in user with that verified address may "
        "receive or decline it (`bind_to_email: false` sends an unbound link). Rate-limited per user (429). "
        "With a session (not a token), a recent password confirmation is needed."
    ),
)
@reauthenticated
def send_link(request: AuthedRequest, transfer_id: UUID, payload: SendIn) -> Any:
    transfer = transfer_get_for_admin(user=request.auth, transfer_id=transfer_id)
    return services.send_transfer_link(
        actor=request.auth,
        transfer=transfer,
        email=payload.email,
        message=payload.message,
        bind_to_email=payload.bind_to_email,
    )


@router.post(
    "/transfers/{transfer_id}/complete",
    response={200: TransferOut, **errors(400, 401, 403, 404, 409, 410, 422)},
    summary="Complete a transfer directly into another Organization where you are an admin",
    description="All or nothing, as receiving. Repeating it answers the completed transfer again.",
)
@reauthenticated
def complete_transfer(request: AuthedRequest, transfer_id: UUID, payload: CompleteIn) -> Any:
    transfer = transfer_get_for_admin(user=request.auth, transfer_id=transfer_id)
    destination = api_member(request, payload.destination_organization_id).organization
    return services.complete_transfer(
        actor=request.auth, transfer=transfer, destination=destination, accept_terms=payload.accept_terms
    )


@router.post(
    "/transfers/{transfer_id}/cancel",
    response={200: TransferOut, **errors(400, 401, 403, 404, 409, 410)},
    summary="Cancel a pending transfer",
)
def cancel_transfer(request: AuthedRequest, transfer_id: UUID, payload: CancelIn | None = None) -> Any:
    transfer = transfer_get_for_admin(user=request.auth, transfer_id=transfer_id)
    reason = payload.reason if payload is not None else ""
    return services.cancel_transfer(actor=request.auth, transfer=transfer, reason=reason)


# The receiving side: the link's secret in the body ---------------------------------------------------


@router.post(
    "/transfer-links/inspect",
    response={200: InspectedTransferOut, **errors(400, 401, 403, 404, 409, 410, 429)},
    summary="What a link would transfer; changes nothing",
    description=(
        "Unknown or replaced link: 404 `transfer_link_unknown`; expired: 410 `transfer_expired`; used, "
        "cancelled or declined: 409 `transfer_not_pending`; sent to another address: 403 "
        "`transfer_bound_to_email`. Failed attempts are limited per user and address (429)."
    ),
)
def inspect_link(request: AuthedRequest, payload: TokenIn) -> Any:
    transfer = services.inspect_transfer_link(actor=request.auth, token=payload.token)
    joining, count = users_joining(transfer=transfer)
    transfer.users_joining = _affected(joining, "user")  # type: ignore[attr-defined]
    transfer.users_joining_count = count  # type: ignore[attr-defined]
    return transfer


@router.post(
    "/transfer-links/products",
    response={200: list[TransferProduct], **errors(400, 401, 403, 404, 409, 410, 429)},
    summary="Every product a link would transfer, by name, paged; changes nothing",
    description=(
        "The link's secret in the body (`{token}`), the page in the query string (`?limit=&offset=`), as "
        "for every list. The same refusals as `/transfer-links/inspect`."
    ),
)
@paginate(Pagination)
def list_link_products(request: AuthedRequest, payload: TokenIn) -> Any:
    transfer = services.inspect_transfer_link(actor=request.auth, token=payload.token)
    return transfer_items(transfer=transfer)


@router.post(
    "/transfer-links/receive",
    response={200: TransferOut, **errors(400, 401, 403, 404, 409, 410, 422, 429)},
    summary="Receive the products of a link into one of your Organizations, or a new one",
    description=(
        "Give `destination_organization_id` (where you are an administrator or legal representative) or "
        "`new_organization`, and `accept_terms`. All or nothing; a product that became ineligible since the "
        "start answers 409 `transfer_stale`. Repeating a successful receive answers the completed transfer "
        "again (200), never a second move; anyone else gets 409 `transfer_not_pending`. With a session "
        "(not a token), a recent password confirmation is needed."
    ),
)
@reauthenticated
def receive_link(request: AuthedRequest, payload: ReceiveIn) -> Any:
    destination = None
    if payload.destination_organization_id is not None:
        destination = api_member(request, payload.destination_organization_id).organization
    return services.receive_transfer(
        actor=request.auth,
        token=payload.token,
        accept_terms=payload.accept_terms,
        destination=destination,
        new_organization_name=payload.new_organization.name if payload.new_organization else "",
    )


@router.post(
    "/transfer-links/decline",
    response={200: TransferOut, **errors(400, 401, 403, 404, 409, 410, 429)},
    summary="Decline the transfer of a link; the products stay where they are",
)
def decline_link(request: AuthedRequest, payload: DeclineIn) -> Any:
    return services.decline_transfer(actor=request.auth, token=payload.token, reason=payload.reason)
