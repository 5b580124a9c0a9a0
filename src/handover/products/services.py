"""Products and their access rights: every change, and its audit event.

Who may change products is asked of `access` (MANAGE_PRODUCTS); `actor=None` is a trusted operator
(CLI, demo, admin), for whom no role is checked and whose events have no actor.
"""

import datetime
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    ExpressionWrapper,
    Q,
    QuerySet,
    UUIDField,
    Value,
)
from django.utils import timezone

from handover import text
from handover.accounts.models import User
from handover.audit.models import AuditAction
from handover.audit.services import Event, record_event, record_events
from handover.db import NewUUID, insert_from
from handover.errors import NotFound
from handover.organizations.access import Permission, authorize
from handover.organizations.errors import NotAMember
from handover.organizations.models import Membership, Organization, Role, Team
from handover.products.catalogue import TransferPolicy, product_types
from handover.products.errors import (
    AccessTargetRequired,
    CannotLinkToItself,
    InvalidCount,
    InvalidProductName,
    InvalidServiceRef,
    ServiceRefTaken,
    UnknownAccessLevel,
    UnknownProductStatus,
    UnknownProductType,
)
from handover.products.models import AccessLevel, Product, ProductAccess, ProductStatus

MAX_BULK_CREATE = 10_000
NAME_MAX_LENGTH = Product._meta.get_field("name").max_length or 255
SERVICE_REF_MAX_LENGTH = Product._meta.get_field("service_ref").max_length or 64


def _clean_type(type: str) -> str:
    if type not in product_types():
        raise UnknownProductType(type=type, valid=", ".join(product_types()))
    return type


def _clean_status(status: str) -> str:
    if status not in ProductStatus.values:
        raise UnknownProductStatus(status=status, valid=", ".join(ProductStatus.values))
    return status


def _clean_name(name: str, *, room: int = 0) -> str:
    name = text.one_line(name, field="name")
    if not name or len(name) + room > NAME_MAX_LENGTH:
        raise InvalidProductName(fields={"name": str(InvalidProductName.message)})
    return name


def _new_service_ref(type: str) -> str:
    # The running service's own identifier in production; here a random one, unique by construction.
    return f"{type[:20]}-{secrets.token_hex(12)}"


@transaction.atomic
def create_product(
    *,
    actor: User | None,
    organization: Organization,
    type: str,
    name: str,
    status: str = ProductStatus.ACTIVE,
    renews_on: datetime.date | None = None,
    service_ref: str | None = None,
) -> Product:
    """Create one product in `organization`, with a generated service reference unless given.

    Raises UnknownProductType, UnknownProductStatus, InvalidProductName, InvalidServiceRef,
    ServiceRefTaken, and PermissionDenied/NotFound for an actor who is not an admin of `organization`.
    """
    authorize(actor, organization, Permission.MANAGE_PRODUCTS)
    type, status, name = _clean_type(type), _clean_status(status), _clean_name(name)
    if service_ref is None:
        service_ref = _new_service_ref(type)
    service_ref = service_ref.strip()
    if not service_ref or len(service_ref) > SERVICE_REF_MAX_LENGTH:
        raise InvalidServiceRef(fields={"service_ref": str(InvalidServiceRef.message)})
    if Product.objects.filter(service_ref=service_ref).exists():
        raise ServiceRefTaken(service_ref=service_ref)
    try:
        # A savepoint, so that losing a race on the unique reference leaves the transaction usable.
        with transaction.atomic():
            product = Product.objects.create(
                organization=organization,
                type=type,
                name=name,
                status=status,
                renews_on=renews_on,
                service_ref=service_ref,
            )
    except IntegrityError as exc:
        raise ServiceRefTaken(service_ref=service_ref) from exc
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.PRODUCT_CREATED,
        target=product,
        details={"type": type, "status": status},
    )
    return product


@transaction.atomic
def create_products(
    *,
    actor: User | None,
    organization: Organization,
    type: str,
    name: str,
    count: int,
    status: str = ProductStatus.ACTIVE,
) -> list[Product]:
    """Create `count` products named `NAME-1`…`NAME-N` with one insert, and their audit events with
    another. Raises InvalidCount outside 1…10,000, and what `create_product` raises."""
    authorize(actor, organization, Permission.MANAGE_PRODUCTS)
    if not 1 <= count <= MAX_BULK_CREATE:
        raise InvalidCount(max=MAX_BULK_CREATE, fields={"count": str(InvalidCount.message)})
    type, status = _clean_type(type), _clean_status(status)
    name = _clean_name(name, room=len(f"-{count}"))
    products = Product.objects.bulk_create(
        [
            Product(
                organization=organization,
                type=type,
                name=f"{name}-{n}",
                status=status,
                service_ref=_new_service_ref(type),
            )
            for n in range(1, count + 1)
        ],
        batch_size=500,
    )
    record_events(
        actor=actor,
        events=[
            Event(organization, AuditAction.PRODUCT_CREATED, p, {"type": type, "status": status})
            for p in products
        ],
    )
    return products


@transaction.atomic
def set_product_status(*, actor: User | None, product: Product, status: str) -> Product:
    """Set the product's status (active, suspended, expired); recorded only when it changes."""
    authorize(actor, product.organization, Permission.MANAGE_PRODUCTS)
    status = _clean_status(status)
    previous = product.status
    if previous != status:
        product.status = status
        product.save(update_fields=["status"])
        record_event(
            actor=actor,
            organization=product.organization,
            action=AuditAction.PRODUCT_STATUS_CHANGED,
            target=product,
            details={"from": previous, "to": status},
        )
    return product


def _check_same_organization(product: Product, other: Product) -> None:
    if product.pk == other.pk:
        raise CannotLinkToItself()
    if other.organization_id != product.organization_id:
        # Another Organization's product answers as if it did not exist.
        raise NotFound()


@transaction.atomic
def link_products(*, actor: User | None, product: Product, other: Product) -> None:
    """Link two products of the same Organization (both directions); linking twice changes nothing.

    Raises CannotLinkToItself, and NotFound when `other` belongs to another Organization.
    """
    authorize(actor, product.organization, Permission.MANAGE_PRODUCTS)
    _check_same_organization(product, other)
    if product.linked.filter(pk=other.pk).exists():
        return
    product.linked.add(other)
    record_event(
        actor=actor,
        organization=product.organization,
        action=AuditAction.PRODUCT_LINKED,
        target=product,
        details={"other_id": str(other.pk), "other_name": other.name},
    )


@transaction.atomic
def unlink_products(*, actor: User | None, product: Product, other: Product) -> None:
    """Remove the link between two products (both directions); recorded only if they were linked."""
    authorize(actor, product.organization, Permission.MANAGE_PRODUCTS)
    _check_same_organization(product, other)
    if not product.linked.filter(pk=other.pk).exists():
        return
    product.linked.remove(other)
    record_event(
        actor=actor,
        organization=product.organization,
        action=AuditAction.PRODUCT_UNLINKED,
        target=product,
        details={"other_id": str(other.pk), "other_name": other.name},
    )


def _who(access: ProductAccess) -> dict[str, str]:
    if access.user_id is not None:
        return {"user": access.user.email}  # type: ignore[union-attr]
    return {"team": access.team.name}  # type: ignore[union-attr]


@transaction.atomic
def grant_access(
    *,
    actor: User | None,
    product: Product,
    level: str,
    user: User | None = None,
    team: Team | None = None,
) -> ProductAccess:
    """Give one member (`user`) or one `team` of the product's Organization the `level` right on it;
    an existing right of theirs has its level changed. Raises AccessTargetRequired unless exactly one
    of user and team is given, NotAMember, UnknownAccessLevel, and NotFound for another
    Organization's team."""
    organization = product.organization
    authorize(actor, organization, Permission.MANAGE_PRODUCTS)
    if (user is None) == (team is None):
        raise AccessTargetRequired()
    if level not in AccessLevel.values:
        raise UnknownAccessLevel(level=level, valid=", ".join(AccessLevel.values))
    lookup: dict[str, Any] = {"product": product}
    if user is not None:
        if not Membership.objects.filter(organization=organization, user=user).exists():
            raise NotAMember(email=user.email)
        lookup["user"] = user
    elif team is not None:
        if team.organization_id != organization.pk:
            raise NotFound()
        lookup["team"] = team
    # Lock the existing row, so that two grants at once leave one row with the last level.
    access = ProductAccess.objects.select_for_update().filter(**lookup).first()
    if access is None:
        try:
            with transaction.atomic():
                access = ProductAccess.objects.create(level=level, **lookup)
            created = True
        except IntegrityError:
            # A concurrent grant created the row first (the unique constraints): change its level.
            access = ProductAccess.objects.select_for_update().get(**lookup)
            created = False
    else:
        created = False
    details: dict[str, str] = {**_who(access), "level": level}
    if not created:
        if access.level == level:
            return access
        details["previous_level"] = access.level
        access.level = level
        access.save(update_fields=["level"])
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.PRODUCT_ACCESS_GRANTED,
        target=product,
        details=details,
    )
    return access


@transaction.atomic
def revoke_access(*, actor: User | None, access: ProductAccess) -> None:
    """Remove one user's or team's right on a product."""
    product = access.product
    authorize(actor, product.organization, Permission.MANAGE_PRODUCTS)
    details = {**_who(access), "level": access.level}
    access.delete()
    record_event(
        actor=actor,
        organization=product.organization,
        action=AuditAction.PRODUCT_ACCESS_REVOKED,
        target=product,
        details=details,
    )


def apply_transfer_policy(*, product_ids: QuerySet[Any], destination: Organization) -> set[uuid.UUID]:
    """Apply each type's transfer policy to the access rights of products moving to `destination`
    (`product_ids`: a subquery of their ids, never a list, so that its size does not matter), inside
    the caller's transaction; returns the users who lost access. Team rights never follow. On kDrive
    (KEEP_USERS) users keep `use` and join the destination as collaborators; elsewhere user access is
    removed. The same statements for 10 products or 10,000 (the sets returned hold people)."""
    keep_types = [t.code for t in product_types().values() if t.policy == TransferPolicy.KEEP_USERS]
    accesses = ProductAccess.objects.filter(product_id__in=product_ids)
    moving = accesses.filter(user__isnull=False, product__type__in=keep_types)
    team_members = set(
        accesses.filter(team__isnull=False).values_list("team__members", flat=True).distinct()
    ) - {None}
    users = (
        accesses.filter(user__isnull=False)
        .annotate(keeps=ExpressionWrapper(Q(product__type__in=keep_types), output_field=BooleanField()))
        .values_list("user_id", "keeps")
        .distinct()
    )
    dropped_users = {user for user, keeps in users if not keeps}
    moving_users = {user for user, keeps in users if keeps}
    accesses.filter(Q(team__isnull=False) | Q(user__isnull=False) & ~Q(product__type__in=keep_types)).delete()
    if moving_users:
        moving.update(level=AccessLevel.USE)
        collaborators = User.objects.filter(id__in=moving.values("user_id")).annotate(
            membership_id=NewUUID(),
            membership_organization=Value(destination.pk, output_field=UUIDField()),
            membership_role=Value(Role.COLLABORATOR.value, output_field=CharField()),
            membership_created_at=Value(timezone.now(), output_field=DateTimeField()),
        )
        columns = {
            "id": "membership_id",
            "organization": "membership_organization",
            "user": "id",
            "role": "membership_role",
            "created_at": "membership_created_at",
        }
        # Who is a member already keeps their role.
        insert_from(Membership, collaborators, columns=columns, ignore_conflicts=True)
    return dropped_users | (team_members - moving_users)
