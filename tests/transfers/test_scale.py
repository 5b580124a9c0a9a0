"""At reseller scale (SPEC §6.1): moving 10 products or 10,000 runs the same SQL statements.

Each operation is measured twice in one test, on a transfer of 10 products and on one of 10,000, in
worlds of the same shape (user, team and kDrive rights on the products, so that every branch of the
access policy runs); the counts must be equal, and equal to the number pinned here.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handover.organizations.models import Role
from handover.products.models import AccessLevel, Product, ProductAccess
from handover.transfers.models import Transfer, TransferState
from handover.transfers.selectors import ProductFilter
from handover.transfers.services import (
    cancel_transfer,
    complete_transfer,
    decline_transfer,
    expire_due_transfers,
    receive_transfer,
    start_transfer,
)
from tests.support import factories

SIZES = (10, 10_000)


class World:
    """A source Organization holding `n` products (one in ten a kDrive), with a collaborator's right on
    each, a team's on every other one, and a destination whose owner also administers the source."""

    def __init__(self, n: int):
        self.owner = factories.make_user()
        self.source = factories.make_org(owner=self.owner)
        staff = factories.add_member(self.source, role=Role.COLLABORATOR)
        team = factories.make_team(self.source, staff)
        hostings = factories.make_products(self.source, n - n // 10)
        drives = factories.make_products(self.source, n // 10, type="kdrive")
        self.products = [*hostings, *drives]
        ProductAccess.objects.bulk_create(
            [ProductAccess(product=p, user=staff, level=AccessLevel.MANAGE) for p in self.products]
            + [ProductAccess(product=p, team=team, level=AccessLevel.USE) for p in self.products[::2]],
            batch_size=2000,
        )
        self.recipient = factories.make_user()
        self.destination = factories.make_org(owner=self.recipient)
        factories.add_member(self.source, self.recipient, Role.ADMINISTRATOR)

    def start(self, **selection):
        selection = selection or {"product_ids": [p.id for p in self.products]}
        return start_transfer(
            actor=self.owner,
            organization=self.source,
            accept_terms=True,
            acknowledge_warnings=True,
            **selection,
        )


OPERATIONS = {
    "start by ids": lambda world, _: world.start(),
    "start by filter": lambda world, _: world.start(filter=ProductFilter(transferable=True)),
    "receive": lambda world, started: receive_transfer(
        actor=world.recipient, token=started.token, destination=world.destination, accept_terms=True
    ),
    "complete": lambda world, started: complete_transfer(
        actor=world.recipient, transfer=started.transfer, destination=world.destination, accept_terms=True
    ),
    "cancel": lambda world, started: cancel_transfer(actor=world.owner, transfer=started.transfer),
    "decline": lambda world, started: decline_transfer(actor=world.recipient, token=started.token),
}


def _statements(name: str, n: int) -> int:
    world = World(n)
    started = None if name.startswith("start") else world.start()
    with CaptureQueriesContext(connection) as queries:
        OPERATIONS[name](world, started)
    return len(queries)


# Inside the test's transaction, each `atomic` is a SAVEPOINT and its RELEASE: both are counted. Each
# count includes the webhooks' one look-up of the endpoints listening to the change (none here).
PINNED = {
    "start by ids": 18,
    "start by filter": 19,
    "receive": 27,
    "complete": 27,
    "cancel": 9,
    "decline": 11,
    "expire": 9,
}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_an_operation_runs_the_same_statements_for_10_or_10000_products(terms, name):
    assert [_statements(name, n) for n in SIZES] == [PINNED[name]] * len(SIZES)


def test_expiring_runs_the_same_statements_for_10_or_10000_products(terms):
    counts = []
    for n in SIZES:
        World(n).start()
        with (
            time_machine.travel(timezone.now() + timedelta(days=8)),
            CaptureQueriesContext(connection) as queries,
        ):
            assert expire_due_transfers() == 1
        counts.append(len(queries))
    assert counts == [PINNED["expire"]] * len(SIZES)


def test_the_10000_products_move_and_their_rights_follow_the_policy(terms):
    world = World(10_000)
    started = world.start()
    OPERATIONS["receive"](world, started)

    assert Transfer.objects.get().state == TransferState.COMPLETED
    assert Product.objects.filter(organization=world.destination).count() == 10_000
    # Team rights and hosting rights are gone; the kDrive users keep `use`.
    assert set(ProductAccess.objects.values_list("product__type", "level", "team")) == {
        ("kdrive", "use", None)
    }
    assert ProductAccess.objects.count() == 1000
