"""The transfer workflow: every change to a transfer, from start to its one outcome.

Each function is one transaction that checks the actor's role, changes state only from `pending`
with a conditional UPDATE (so two racing requests cannot both win), records audit events on both
sides with the transfer's id, and enqueues its emails inside the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, F, UUIDField, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from handover import ratelimits, text
from handover.accounts.models import User
from handover.accounts.services import clean_email
from handover.audit.models import AuditAction
from handover.audit.services import Event, record_event, record_events
from handover.db import NewUUID, insert_from
from handover.hashing import hash_secret
from handover.organizations import access
from handover.organizations.models import Organization
from handover.organizations.services import create_organization
from handover.products.filters import transferable
from handover.products.models import Product
from handover.products.selectors import BY_NAME
from handover.products.services import apply_transfer_policy
from handover.terms.models import AcceptanceStep
from handover.terms.services import record_acceptance
from handover.transfers import links, tasks, throttle
from handover.transfers.errors import (
    TRANSFER_ALREADY_USED,
    TRANSFER_WAS_CANCELLED,
    TRANSFER_WAS_DECLINED,
    DestinationRequired,
    InvalidDestination,
    ProductInPendingTransfer,
    ProductNotTransferable,
    SelectionChanged,
    TermsNotAccepted,
    TransferBoundToEmail,
    TransferExpired,
    TransferLinkUnknown,
    TransferNotPending,
    TransfersLocked,
    TransferStale,
    WarningsNotAcknowledged,
)
from handover.transfers.models import Transfer, TransferItem, TransferState
from handover.transfers.selectors import (
    NAMED,
    Impact,
    ProductFilter,
    Selection,
    blocked_products,
    first_items,
    names_and_more,
    select_products,
    transfer_get,
    transfer_get_by_token,
    transfer_impact,
    transfer_staleness,
    with_link_issuer_role,
)
from handover.transfers.signals import transfer_changed


@dataclass(frozen=True)
class StartedTransfer:
    """A new transfer with the secret of its link, which is shown once and never stored."""

    transfer: Transfer
    token: str

    @property
    def link(self) -> str:
        return links.link_url(self.token)


# Starting --------------------------------------------------------------------------------------


def _refuse_blocked(selection: Selection) -> None:
    """Raise ProductInPendingTransfer or ProductNotTransferable when any selected product may not go
    into a new transfer, naming the first few and giving the first FIRST_PRODUCTS reasons."""
    if not selection.blocked:
        return
    blocked = blocked_products(selection.products)
    fields = {"product_ids": {str(b.product.id): b.reason for b in blocked}}
    names = names_and_more([b.product.name for b in blocked[:NAMED]], selection.blocked)
    if all(b.code == "product_in_pending_transfer" for b in blocked):
        raise ProductInPendingTransfer(names=names, fields=fields)
    raise ProductNotTransferable(names=names, fields=fields)


def preview_transfer(
    *,
    actor: User,
    organization: Organization,
    product_ids: Sequence[UUID | str] | None = None,
    filter: ProductFilter | None = None,
) -> Impact:
    """The impact of transferring these products (by ids or by a filter) out of `organization`;
    changes nothing.

    Raises NotFound / PermissionDenied for the wrong user, and the selection errors of start_transfer.
    """
    access.require_admin(user=actor, organization=organization)
    selection = select_products(user=actor, organization=organization, product_ids=product_ids, filter=filter)
    return transfer_impact(organization=organization, products=selection.products)


@transaction.atomic
def start_transfer(
    *,
    actor: User,
    organization: Organization,
    product_ids: Sequence[UUID | str] | None = None,
    filter: ProductFilter | None = None,
    expected_count: int | None = None,
    accept_terms: bool,
    acknowledge_warnings: bool,
    note: str = "",
) -> StartedTransfer:
    """Start a transfer out of `organization` of the products given by their ids or by a filter
    (resolved here, over the products the actor may see), and return it with its link.

    Only an administrator or legal representative, while outgoing transfers are not locked, for
    up to HANDOVER_MAX_PRODUCTS_PER_TRANSFER eligible products not already in a pending transfer,
    once the terms are accepted and the warnings acknowledged; with `expected_count` (the number
    the user was shown, e.g. of a filter), only if they are still that many (else SelectionChanged).
    Set-based: the same statements for 10 products or 10,000.
    """
    access.require_admin(user=actor, organization=organization)
    organization = Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
    if organization.transfers_locked:
        raise TransfersLocked()
    selection = select_products(
        user=actor,
        organization=organization,
        product_ids=product_ids,
        filter=filter,
        expected_count=expected_count,
    )
    _refuse_blocked(selection)
    if not accept_terms:
        raise TermsNotAccepted()
    if not acknowledge_warnings:
        raise WarningsNotAcknowledged()

    if selection.held_by_expired:
        _release_expired_holds(selection)
    nonce = links.new_nonce()
    now = timezone.now()
    transfer = Transfer(
        source_organization=organization,
        created_by=actor,
        note=text.free_text(note, field="note"),
        product_count=selection.count,
        link_nonce=nonce,
        link_created_at=now,
        link_issued_by=actor,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.HANDOVER_TRANSFER_TTL),
    )
    token = links.link_secret(transfer.id, nonce)
    transfer.link_hash = hash_secret(token)
    transfer.save(force_insert=True)
    try:
        # The partial unique index refuses a product already in another pending transfer, even when
        # two starts race past the check above.
        with transaction.atomic():
            inserted = _insert_items(transfer, selection)
    except IntegrityError as exc:
        # A start that raced this one took some of the products (its items are committed now).
        _refuse_blocked(
            select_products(user=actor, organization=organization, product_ids=product_ids, filter=filter)
        )
        raise ProductInPendingTransfer(names="—") from exc
    if inserted != selection.count:  # a product came or went since the selection was counted
        raise SelectionChanged()
    transfer.first_items = first_items(transfer)  # type: ignore[attr-defined]
    record_acceptance(
        user=actor, organization=organization, step=AcceptanceStep.START_TRANSFER, reference=transfer.id
    )
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.TRANSFER_STARTED,
        target=transfer,
        details={"transfer_id": str(transfer.id), **_products_detail(transfer)},
    )
    transfer_changed.send(sender=Transfer, transfer=transfer, change="started")
    return StartedTransfer(transfer=transfer, token=token)


def _release_expired_holds(selection: Selection) -> None:
    """An expired transfer frees its products the instant it expires (SPEC §6.2), but its items keep
    them in the one-pending-transfer index until the sweep marks it expired: release the selected
    ones here, in the start's transaction, with one UPDATE. The sweep still marks that transfer
    expired and tells its initiator; receiving it was refused from the first second past its expiry."""
    TransferItem.objects.filter(
        pending=True,
        transfer__expires_at__lte=timezone.now(),
        product__in=selection.products.order_by().values("id"),
    ).update(pending=False)


def _insert_items(transfer: Transfer, selection: Selection) -> int:
    """One INSERT … SELECT of the transfer's items, ranked by product name (natural order); returns
    how many."""
    rows = selection.products.order_by().annotate(
        item_id=NewUUID(),
        item_transfer=Value(transfer.id, output_field=UUIDField()),
        item_position=Window(RowNumber(), order_by=[F(field).asc() for field in BY_NAME]),
        item_pending=Value(True, output_field=BooleanField()),
    )
    columns = {
        "id": "item_id",
        "transfer": "item_transfer",
        "product": "id",
        "position": "item_position",
        "pending": "item_pending",
    }
    return insert_from(TransferItem, rows, columns=columns)


def _products_detail(transfer: Transfer) -> dict[str, Any]:
    """The products of an audit event: how many, and the first FIRST_PRODUCTS by name. The full list
    of a transfer's products is its items (selectors.transfer_items, product_transfer_history)."""
    return {
        "product_count": transfer.product_count,
        "products": [
            {"id": str(item.product.id), "name": item.product.name, "type": item.product.type}
            for item in first_items(transfer)
        ],
    }


# Managing a pending transfer (source side) -------------------------------------------------------


def _lock_pending(transfer: Transfer) -> Transfer:
    """The transfer's row, locked, if still pending and not past its expiry."""
    locked = (
        with_link_issuer_role(Transfer.objects.select_for_update(of=("self",)))
        .select_related("source_organization")
        .get(pk=transfer.pk)
    )
    _check_pending(locked)
    return locked


def _check_pending(transfer: Transfer) -> None:
    if transfer.state == TransferState.EXPIRED or (
        transfer.state == TransferState.PENDING and transfer.expires_at <= timezone.now()
    ):
        raise TransferExpired()
    if transfer.state != TransferState.PENDING:
        raise TransferNotPending(
            {
                TransferState.COMPLETED: TRANSFER_ALREADY_USED,
                TransferState.CANCELLED: TRANSFER_WAS_CANCELLED,
                TransferState.DECLINED: TRANSFER_WAS_DECLINED,
            }[TransferState(transfer.state)]
        )


@transaction.atomic
def rotate_transfer_link(*, actor: User, transfer: Transfer) -> StartedTransfer:
    """Replace the transfer's link with a new one to copy; the old link stops working at once.

    A copied link is a bearer link (SPEC §3.4): a binding to an address, from sending, is lifted.
    """
    access.require_admin(user=actor, organization=transfer.source_organization)
    transfer = _lock_pending(transfer)
    token = _new_link(transfer, actor, bound_email="")
    record_event(
        actor=actor,
        organization=transfer.source_organization,
        action=AuditAction.TRANSFER_LINK_ROTATED,
        target=transfer,
        details={"transfer_id": str(transfer.id)},
    )
    return StartedTransfer(transfer=transfer, token=token)


def _new_link(transfer: Transfer, actor: User, *, bound_email: str | None = None) -> str:
    """Replace the transfer's link with a new one issued by `actor`, whose right it follows."""
    transfer.link_nonce = links.new_nonce()
    token = links.link_secret(transfer.id, transfer.link_nonce)
    transfer.link_hash = hash_secret(token)
    transfer.link_created_at = timezone.now()
    transfer.link_issued_by = actor
    fields = ["link_nonce", "link_hash", "link_created_at", "link_issued_by"]
    if bound_email is not None:
        transfer.bound_email = bound_email
        fields.append("bound_email")
    transfer.save(update_fields=fields)
    return token


@transaction.atomic
def send_transfer_link(
    *, actor: User, transfer: Transfer, email: str, message: str = "", bind_to_email: bool = True
) -> Transfer:
    """Email a new link for this transfer to `email` (the previous link stops working).

    By default the link is bound to that address: only a signed-in user with that verified email can
    receive or decline it. The email is queued in this transaction.
    """
    access.require_admin(user=actor, organization=transfer.source_organization)
    email = clean_email(email)
    ratelimits.consume("send_link", user=actor, organization=transfer.source_organization)
    transfer = _lock_pending(transfer)
    _new_link(transfer, actor, bound_email=email if bind_to_email else "")
    tasks.send_transfer_link_email.enqueue(
        transfer_id=str(transfer.id),
        nonce=transfer.link_nonce,
        email=email,
        message=text.free_text(message, field="message"),
        sender_id=str(actor.id),
    )
    record_event(
        actor=actor,
        organization=transfer.source_organization,
        action=AuditAction.TRANSFER_LINK_SENT,
        target=transfer,
        details={"transfer_id": str(transfer.id), "email": email, "bound": bind_to_email},
    )
    return transfer


@transaction.atomic
def cancel_transfer(*, actor: User | None, transfer: Transfer, reason: str = "") -> Transfer:
    """Cancel a pending transfer (its initiator, any admin of the source, or an operator when `actor`
    is None); tells the initiator."""
    access.authorize(actor, transfer.source_organization, access.Permission.MANAGE_TRANSFERS)
    transfer = _lock_pending(transfer)
    _end(
        transfer,
        state=TransferState.CANCELLED,
        action=AuditAction.TRANSFER_CANCELLED,
        actor=actor,
        reason=reason,
    )
    return transfer


def _end(
    transfer: Transfer,
    *,
    state: TransferState,
    action: AuditAction,
    actor: User | None,
    reason: str = "",
    tell_legal_representatives: bool = False,
    **details: Any,
) -> None:
    """Move a locked pending transfer to a final state other than completed: free its products,
    record the event in the source's log and queue the email to the initiator."""
    now = timezone.now()
    reason = text.free_text(reason, field="reason")
    changed = Transfer.objects.filter(pk=transfer.pk, state=TransferState.PENDING).update(
        state=state, ended_at=now, ended_by=actor, end_reason=reason
    )
    if not changed:  # only reachable on a database without row locks
        raise TransferNotPending()
    TransferItem.objects.filter(transfer=transfer).update(pending=False)
    transfer.state, transfer.ended_at, transfer.ended_by, transfer.end_reason = state, now, actor, reason
    record_event(
        actor=actor,
        organization=transfer.source_organization,
        action=action,
        target=transfer,
        details={"transfer_id": str(transfer.id), "reason": reason, **details},
    )
    tasks.send_transfer_ended_email.enqueue(
        transfer_id=str(transfer.id), to_legal_representatives=tell_legal_representatives
    )
    transfer_changed.send(sender=Transfer, transfer=transfer, change=state.value)


@transaction.atomic
def cancel_transfers_started_by(*, user: User, organization: Organization, reason: str) -> list[Transfer]:
    """Cancel the pending transfers `user` started out of `organization`, when they lose their admin
    rights there or leave it (SPEC §3.10); the legal representatives are told."""
    cancelled = []
    for transfer in (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("source_organization")
        .filter(source_organization=organization, created_by=user, state=TransferState.PENDING)
    ):
        _end(
            transfer,
            state=TransferState.CANCELLED,
            action=AuditAction.TRANSFER_CANCELLED,
            actor=None,
            reason=reason,
            tell_legal_representatives=True,
            initiator=user.email,
        )
        cancelled.append(transfer)
    return cancelled


@transaction.atomic
def revoke_links_issued_by(*, user: User, organization: Organization, reason: str) -> int:
    """Kill the links `user` renewed or sent for pending transfers out of `organization` that others
    started, when they lose the right to manage its transfers (SPEC §6.2); the transfers stay
    pending, and any admin of the source can issue a new link. Returns how many links died.

    The lookup of a link checks its issuer's right too (selectors.transfer_get_by_token): this makes
    the death immediate and visible, in the transaction that took the right."""
    revoked = list(
        Transfer.objects.select_for_update().filter(
            source_organization=organization, state=TransferState.PENDING, link_issued_by=user
        )
    )
    Transfer.objects.filter(id__in=[t.id for t in revoked]).update(
        link_hash=None, link_nonce="", bound_email=""
    )
    record_events(
        actor=None,
        events=[
            Event(
                organization,
                AuditAction.TRANSFER_LINK_REVOKED,
                transfer,
                {"transfer_id": str(transfer.id), "issued_by": user.email, "reason": reason},
            )
            for transfer in revoked
        ],
    )
    return len(revoked)


# Receiving (destination side) -------------------------------------------------------------------


def inspect_transfer_link(*, actor: User, token: str) -> Transfer:
    """The pending transfer behind a link, as its recipient may see it before receiving.

    Raises TransferLinkUnknown (also for a replaced link), TransferExpired, TransferNotPending (with
    a message that says whether it was used, cancelled or declined) and TransferBoundToEmail.
    """
    transfer = _transfer_by_token(actor, token)
    _check_pending(transfer)
    _check_bound_email(actor, transfer)
    return transfer


def _transfer_by_token(actor: User, token: str) -> Transfer:
    """The transfer behind a link; a miss counts against the actor's attempts (see throttle)."""
    throttle.check_link_attempts(user=actor)
    transfer = transfer_get_by_token(token=token)
    if transfer is None:
        throttle.record_failed_link_attempt(user=actor)
        raise TransferLinkUnknown()
    return transfer


def _check_bound_email(actor: User, transfer: Transfer) -> None:
    if (
        transfer.bound_email
        and not EmailAddress.objects.filter(
            user=actor, email__iexact=transfer.bound_email, verified=True
        ).exists()
    ):
        raise TransferBoundToEmail()


def receive_transfer(
    *,
    actor: User,
    token: str,
    accept_terms: bool,
    destination: Organization | None = None,
    new_organization_name: str = "",
) -> Transfer:
    """Receive the products behind a link into `destination` (where `actor` is an admin), or into a
    new Organization named `new_organization_name` created for the purpose.

    All or nothing. The same request again (same recipient, same destination, or a new Organization of
    the same name) returns the completed transfer unchanged; any other receive of it is refused.
    """
    transfer = _transfer_by_token(actor, token)
    repeat = Repeat(actor=actor, destination=destination, new_name=new_organization_name.strip())
    if repeat.of(transfer):
        return transfer
    try:
        with transaction.atomic():
            if not accept_terms:
                raise TermsNotAccepted()
            _check_bound_email(actor, transfer)
            if repeat.new_name:
                destination = create_organization(actor=actor, name=repeat.new_name)
            if destination is None:
                raise DestinationRequired()
            return _move(
                transfer=transfer, destination=destination, repeat=repeat, via_link=True, token=token
            )
    except AlreadyReceived as repeated:
        # A twin request won while this one waited for the lock; its new Organization is rolled back.
        return repeated.transfer


def _check_link_current(locked: Transfer, token: str) -> None:
    """Raise TransferLinkUnknown unless `token` is still the link of the `locked` transfer (read with
    `with_link_issuer_role`), issued by someone who still may: the link is looked up before the row
    is locked, and a rotation, a sending (which replaces the link) or the issuer's demotion may
    commit in between; the link must not work even then."""
    if not links.matches(token, locked.link_hash) or not access.may_issue_transfer_links(
        locked.link_issuer_role  # type: ignore[attr-defined]
    ):
        raise TransferLinkUnknown()


class AlreadyReceived(Exception):
    """Raised inside the move's transaction when a twin request completed the transfer first."""

    def __init__(self, transfer: Transfer):
        self.transfer = transfer


@dataclass(frozen=True)
class Repeat:
    """What makes a receive a repeat of the one that completed a transfer (a double click, a retry
    after a timeout): the same recipient, into the same destination or a new one of the same name."""

    actor: User
    destination: Organization | None = None
    new_name: str = ""

    def of(self, transfer: Transfer) -> bool:
        if transfer.state != TransferState.COMPLETED or transfer.received_by_id != self.actor.id:
            return False
        received_into = transfer.destination_organization_id
        if self.new_name:
            return received_into is not None and (
                Organization.objects.filter(id=received_into, name=self.new_name).exists()
            )
        return self.destination is not None and received_into == self.destination.pk


@transaction.atomic
def complete_transfer(
    *, actor: User, transfer: Transfer, destination: Organization, accept_terms: bool
) -> Transfer:
    """Complete a transfer directly into another Organization where `actor` is also an admin."""
    access.require_admin(user=actor, organization=transfer.source_organization)
    repeat = Repeat(actor=actor, destination=destination)
    if repeat.of(transfer):
        return transfer
    if not accept_terms:
        raise TermsNotAccepted()
    try:
        with transaction.atomic():
            return _move(transfer=transfer, destination=destination, repeat=repeat, via_link=False)
    except AlreadyReceived as repeated:
        return repeated.transfer


def _move(
    *, transfer: Transfer, destination: Organization, repeat: Repeat, via_link: bool, token: str | None = None
) -> Transfer:
    """The move itself, inside the caller's transaction: every product or none.

    Lock, check again (with `token`, that it is still the transfer's link), then set-based statements
    whose count does not depend on the number of products (subqueries, never an IN list of ids:
    SQLite takes at most 32,766 parameters, and no product is read into Python).
    """
    locked = with_link_issuer_role(Transfer.objects.select_for_update(of=("self",))).get(pk=transfer.pk)
    if repeat.of(locked):
        raise AlreadyReceived(locked)
    actor = repeat.actor
    _check_pending(locked)  # first: a transfer cancelled meanwhile says so, as its lookup would have
    if token is not None:
        _check_link_current(locked, token)
    transfer = locked
    source = Organization.objects.get(pk=transfer.source_organization_id)
    access.require_admin(user=actor, organization=destination)
    if destination.pk == source.pk:
        raise InvalidDestination()

    # Only the products still in the source and eligible move: any other (suspended, expired, moved
    # or removed since the start) makes the count fall short, and the caller's transaction rolls
    # back the whole receive.
    items = TransferItem.objects.filter(transfer=transfer)
    product_ids = items.values("product_id")
    moved = Product.objects.filter(transferable(), id__in=product_ids, organization=source).update(
        organization=destination
    )
    if moved != transfer.product_count:
        raise TransferStale(
            names=transfer_staleness(transfer=transfer, destination=destination, moved=moved).names
        )

    now = timezone.now()
    changed = Transfer.objects.filter(pk=transfer.pk, state=TransferState.PENDING).update(
        state=TransferState.COMPLETED,
        destination_organization=destination,
        received_by=actor,
        completed_at=now,
        ended_at=now,
        ended_by=actor,
    )
    if not changed:  # only reachable on a database without row locks
        raise TransferNotPending()
    items.update(pending=False)
    lost_access = apply_transfer_policy(product_ids=product_ids, destination=destination)

    record_acceptance(
        user=actor, organization=destination, step=AcceptanceStep.RECEIVE_TRANSFER, reference=transfer.id
    )
    transfer = transfer_get(transfer_id=transfer.pk)
    details = {
        "transfer_id": str(transfer.id),
        "source_organization": {"id": str(source.id), "name": source.name},
        "destination_organization": {"id": str(destination.id), "name": destination.name},
        "via": "link" if via_link else "direct",
        **_products_detail(transfer),
    }
    record_events(
        actor=actor,
        events=[
            Event(source, AuditAction.TRANSFER_COMPLETED, transfer, details),
            Event(destination, AuditAction.TRANSFER_RECEIVED, transfer, details),
        ],
    )
    tasks.send_transfer_completed_emails.enqueue(
        transfer_id=str(transfer.id), lost_access_user_ids=[str(uid) for uid in lost_access]
    )
    transfer_changed.send(sender=Transfer, transfer=transfer, change=TransferState.COMPLETED.value)
    return transfer


def decline_transfer(*, actor: User, token: str, reason: str = "") -> Transfer:
    """Decline the transfer behind a link; the products stay where they are and the initiator is told."""
    transfer = _transfer_by_token(actor, token)
    _check_bound_email(actor, transfer)
    with transaction.atomic():
        return _decline(actor=actor, transfer=transfer, reason=reason, token=token)


def _decline(*, actor: User, transfer: Transfer, reason: str, token: str) -> Transfer:
    transfer = _lock_pending(transfer)
    _check_link_current(transfer, token)
    _end(
        transfer,
        state=TransferState.DECLINED,
        action=AuditAction.TRANSFER_DECLINED,
        actor=actor,
        reason=reason,
    )
    return transfer


# Time ------------------------------------------------------------------------------------------


def expire_due_transfers() -> int:
    """Mark every pending transfer past its expiry as expired, telling each initiator; returns how many.

    Receiving refuses an expired transfer whether or not this has run yet.
    """
    expired = 0
    due = Transfer.objects.filter(state=TransferState.PENDING, expires_at__lte=timezone.now())
    for transfer_id in due.values_list("id", flat=True):
        with transaction.atomic():
            transfer = (
                Transfer.objects.select_for_update(of=("self",))
                .select_related("source_organization")
                .get(pk=transfer_id)
            )
            if transfer.state != TransferState.PENDING:
                continue
            _end(transfer, state=TransferState.EXPIRED, action=AuditAction.TRANSFER_EXPIRED, actor=None)
            expired += 1
    return expired


@transaction.atomic
def remind_expiring_transfers() -> int:
    """Queue the reminder of each pending transfer that expires within a day, once; returns how many."""
    now = timezone.now()
    due = Transfer.objects.select_for_update().filter(
        state=TransferState.PENDING,
        reminder_sent_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=1),
    )
    ids = list(due.values_list("id", flat=True))
    Transfer.objects.filter(id__in=ids).update(reminder_sent_at=now)
    for transfer_id in ids:
        tasks.send_transfer_reminder_email.enqueue(transfer_id=str(transfer_id))
    return len(ids)
