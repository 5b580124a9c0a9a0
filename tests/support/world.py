"""A pending transfer whose move touches every kind of row: products of several types, user, team and
kDrive rights that must go or stay, and a recipient who is the legal representative of a destination.
Used in the test process and in the subprocesses that are killed in the middle of a receive."""

import uuid
from dataclasses import dataclass

from django_tasks_db.models import DBTaskResult

from handover.accounts.models import User
from handover.audit.models import AuditEvent
from handover.organizations.models import Membership, Organization, Role
from handover.products.models import AccessLevel, Product, ProductAccess
from handover.terms.models import Acceptance
from handover.transfers.models import Transfer, TransferItem
from handover.transfers.services import start_transfer
from tests.support import factories


@dataclass
class World:
    source: Organization
    owner: User
    recipient: User
    destination: Organization
    products: list[Product]
    transfer: Transfer
    token: str


def _person() -> User:
    # Unique across processes too (the factories' counter starts again in each one).
    return factories.make_user(f"{uuid.uuid4().hex[:12]}@example.com", password=None)


def make_world(products: int = 30) -> World:
    factories.make_terms()
    owner = _person()
    source = factories.make_org(owner=owner)
    staff = factories.add_member(source, _person(), role=Role.COLLABORATOR)
    drive_user = factories.add_member(source, _person(), role=Role.COLLABORATOR)
    team = factories.make_team(source, staff)
    hostings = factories.make_products(source, products - products // 10)
    drives = factories.make_products(source, products // 10, type="kdrive")
    ProductAccess.objects.bulk_create(
        [ProductAccess(product=p, user=staff, level=AccessLevel.MANAGE) for p in hostings[::3]]
        + [ProductAccess(product=p, team=team, level=AccessLevel.USE) for p in hostings[1::3]]
        + [ProductAccess(product=p, user=drive_user, level=AccessLevel.MANAGE) for p in drives]
        + [ProductAccess(product=p, team=team, level=AccessLevel.USE) for p in drives]
    )
    recipient = _person()
    destination = factories.make_org(owner=recipient)
    moving = [*hostings, *drives]
    started = start_transfer(
        actor=owner,
        organization=source,
        product_ids=[p.id for p in moving],
        accept_terms=True,
        acknowledge_warnings=True,
    )
    return World(source, owner, recipient, destination, moving, started.transfer, started.token)


def snapshot() -> dict[str, object]:
    """Everything a receive may change, in a form that compares equal when nothing changed."""
    return {
        "products": sorted(Product.objects.values_list("id", "organization_id")),
        "accesses": sorted(
            ProductAccess.objects.values_list("id", "product_id", "user_id", "team_id", "level")
        ),
        "memberships": sorted(Membership.objects.values_list("organization_id", "user_id", "role")),
        "organizations": Organization.objects.count(),
        "transfers": sorted(
            Transfer.objects.values_list("id", "state", "destination_organization_id", "completed_at")
        ),
        "items": sorted(TransferItem.objects.values_list("id", "pending")),
        "audit": AuditEvent.objects.count(),
        "acceptances": Acceptance.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }
