"""SPEC §5 "Races", proven on PostgreSQL with real concurrent connections.

Each race is run HANDOVER_RACE_TRIALS times (5 by default, 20 in CI), on fresh rows each time; the
outcomes are tallied in the "race figures" section of the test run's summary.
"""

from collections import Counter
from functools import partial

import pytest

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership, Role
from handover.organizations.services import change_member_role, remove_member
from handover.products.models import AccessLevel, Product
from handover.transfers import errors
from handover.transfers.models import Transfer, TransferItem, TransferState
from handover.transfers.services import (
    cancel_transfer,
    decline_transfer,
    receive_transfer,
    rotate_transfer_link,
    start_transfer,
)
from tests.support import factories
from tests.support.invariants import violations
from tests.support.racing import CONTENDERS, FIGURES, TRIALS, describe, race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def terms(transactional_db):
    return factories.make_terms()


def _source(products: int = 12):
    """A source Organization (owner = legal representative, plus an administrator who starts the
    transfers), with products of which some carry user, team and kDrive rights."""
    owner = factories.make_user()
    organization = factories.make_org(owner=owner)
    initiator = factories.add_member(organization, role=Role.ADMINISTRATOR)
    staff = factories.add_member(organization, role=Role.COLLABORATOR)
    team = factories.make_team(organization, staff)
    items = factories.make_products(organization, products - 1)
    drive = factories.make_product(organization, "kdrive")
    factories.grant(items[0], staff)
    factories.grant(items[1], team)
    factories.grant(drive, staff, AccessLevel.MANAGE)
    return organization, owner, initiator, [*items, drive]


def _start(actor, organization, products):
    return start_transfer(
        actor=actor,
        organization=organization,
        product_ids=[p.id for p in products],
        accept_terms=True,
        acknowledge_warnings=True,
    )


def _recipients(count: int):
    people = []
    for _ in range(count):
        user = factories.make_user()
        people.append((user, factories.make_org(owner=user)))
    return people


def _receive(user, organization, token):
    return partial(receive_transfer, actor=user, token=token, destination=organization, accept_terms=True)


def _assert_consistent():
    assert violations() == []


def test_of_many_concurrent_receives_of_one_link_exactly_one_wins_and_holds_every_product():
    recipients = _recipients(CONTENDERS)
    winners: Counter[int] = Counter()
    for _ in range(TRIALS):
        source, _owner, initiator, products = _source()
        started = _start(initiator, source, products)

        outcomes = race(*(_receive(user, org, started.token) for user, org in recipients))

        won = [i for i, o in enumerate(outcomes) if o.ok]
        assert len(won) == 1, describe(outcomes)
        losers = [o.error for o in outcomes if not o.ok]
        assert all(isinstance(e, errors.TransferNotPending) and e.status == 409 for e in losers), describe(
            outcomes
        )
        user, destination = recipients[won[0]]
        transfer = Transfer.objects.get(pk=started.transfer.pk)
        assert (transfer.state, transfer.destination_organization, transfer.received_by) == (
            TransferState.COMPLETED,
            destination,
            user,
        )
        assert set(
            Product.objects.filter(id__in=[p.id for p in products]).values_list("organization", flat=True)
        ) == {destination.id}
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.TRANSFER_RECEIVED, details__transfer_id=str(transfer.id)
            ).count()
            == 1
        )
        _assert_consistent()
        # The winner's repeat (a retry after a timeout) gets the completed transfer back, unchanged.
        again = _receive(user, destination, started.token)()
        assert (again.pk, again.completed_at) == (transfer.pk, transfer.completed_at)
        winners[won[0]] += 1
    FIGURES.append(
        f"concurrent receives: {TRIALS} trials x {CONTENDERS} contenders, one winner each time "
        f"(by contender: {dict(sorted(winners.items()))}), "
        f"{TRIALS * (CONTENDERS - 1)} x 409 transfer_not_pending"
    )


def test_a_double_submitted_receive_moves_once_and_answers_both_with_the_transfer():
    ((user, destination),) = _recipients(1)
    for _ in range(TRIALS):
        source, _owner, initiator, products = _source()
        started = _start(initiator, source, products)

        outcomes = race(*(_receive(user, destination, started.token) for _ in range(4)))

        assert all(o.ok for o in outcomes), describe(outcomes)
        assert {o.value.pk for o in outcomes} == {started.transfer.pk}
        assert {o.value.state for o in outcomes} == {TransferState.COMPLETED}
        _assert_consistent()
    FIGURES.append(
        f"double-submitted receive: {TRIALS} trials x 4 identical requests, all answered, one move"
    )


def test_of_concurrent_starts_over_the_same_product_exactly_one_is_pending():
    refused = 0
    for _ in range(TRIALS):
        source, owner, initiator, products = _source(products=CONTENDERS + 1)
        shared, own = products[0], products[1:]
        admins = [owner, initiator] + [
            factories.add_member(source, role=Role.ADMINISTRATOR) for _ in range(CONTENDERS - 2)
        ]
        # Each contender starts a transfer of the shared product and of one product of its own.
        outcomes = race(*(partial(_start, admin, source, [shared, own[i]]) for i, admin in enumerate(admins)))

        won = [o for o in outcomes if o.ok]
        assert len(won) == 1, describe(outcomes)
        losers = [o.error for o in outcomes if not o.ok]
        assert all(isinstance(e, errors.ProductInPendingTransfer) and e.status == 409 for e in losers), (
            describe(outcomes)
        )
        assert Transfer.objects.filter(source_organization=source, state=TransferState.PENDING).count() == 1
        assert TransferItem.objects.filter(product=shared, pending=True).count() == 1
        assert set(
            TransferItem.objects.filter(pending=True, product__organization=source).values_list(
                "transfer", flat=True
            )
        ) == {won[0].value.transfer.pk}
        assert (
            AuditEvent.objects.filter(organization=source, action=AuditAction.TRANSFER_STARTED).count() == 1
        )
        _assert_consistent()
        refused += len(losers)
    FIGURES.append(
        f"concurrent starts over one product: {TRIALS} trials x {CONTENDERS} contenders, "
        f"one pending each time, {refused} x 409 product_in_pending_transfer"
    )


def test_cancel_decline_and_receive_racing_leave_one_consistent_outcome():
    (user, destination), (other, _org) = _recipients(2)
    tally: Counter[str] = Counter()
    for _ in range(TRIALS):
        source, owner, initiator, products = _source()
        started = _start(initiator, source, products)

        outcomes = race(
            partial(cancel_transfer, actor=owner, transfer=started.transfer),
            _receive(user, destination, started.token),
            partial(decline_transfer, actor=other, token=started.token),
        )

        won = [name for name, o in zip(("cancelled", "completed", "declined"), outcomes, strict=True) if o.ok]
        assert len(won) == 1, describe(outcomes)
        assert all(isinstance(o.error, errors.TransferNotPending) for o in outcomes if not o.ok), describe(
            outcomes
        )
        transfer = Transfer.objects.get(pk=started.transfer.pk)
        assert transfer.state == won[0]
        holder = destination if won[0] == "completed" else source
        assert set(
            Product.objects.filter(id__in=[p.id for p in products]).values_list("organization", flat=True)
        ) == {holder.id}
        ended = AuditEvent.objects.filter(
            details__transfer_id=str(transfer.id),
            action__in=[
                AuditAction.TRANSFER_CANCELLED,
                AuditAction.TRANSFER_DECLINED,
                AuditAction.TRANSFER_COMPLETED,
            ],
        )
        assert ended.count() == 1
        _assert_consistent()
        tally[won[0]] += 1
    FIGURES.append(f"cancel vs receive vs decline: {TRIALS} trials x 3 contenders, outcomes {dict(tally)}")


def test_a_link_rotated_while_being_received_either_moves_everything_or_dies():
    ((user, destination),) = _recipients(1)
    tally: Counter[str] = Counter()
    for _ in range(TRIALS):
        source, _owner, initiator, products = _source()
        started = _start(initiator, source, products)

        rotated, received = race(
            partial(rotate_transfer_link, actor=initiator, transfer=started.transfer),
            _receive(user, destination, started.token),
        )

        assert rotated.ok != received.ok, describe([rotated, received])
        transfer = Transfer.objects.get(pk=started.transfer.pk)
        if received.ok:
            assert isinstance(rotated.error, errors.TransferNotPending)
            assert transfer.state == TransferState.COMPLETED
            tally["received, then rotation refused"] += 1
        else:
            # The old link died at once, even for a request that had looked it up just before.
            assert isinstance(received.error, errors.TransferLinkUnknown), describe([rotated, received])
            assert transfer.state == TransferState.PENDING
            assert _receive(user, destination, rotated.value.token)().state == TransferState.COMPLETED
            tally["rotated, old link refused"] += 1
        _assert_consistent()
    FIGURES.append(f"rotate vs receive: {TRIALS} trials x 2 contenders, outcomes {dict(tally)}")


def _demote(owner, membership):
    return partial(change_member_role, actor=owner, membership=membership, role=Role.COLLABORATOR)


def _remove(owner, membership):
    return partial(remove_member, actor=owner, membership=membership)


@pytest.mark.parametrize("lose_rights", [_demote, _remove], ids=["demoted", "removed"])
def test_receive_racing_the_initiators_loss_of_admin_rights_has_one_outcome(lose_rights):
    ((user, destination),) = _recipients(1)
    tally: Counter[str] = Counter()
    for _ in range(TRIALS):
        source, owner, initiator, products = _source()
        started = _start(initiator, source, products)
        membership = Membership.objects.get(organization=source, user=initiator)

        changed, received = race(lose_rights(owner, membership), _receive(user, destination, started.token))

        assert changed.ok, describe([changed, received])  # losing rights is never refused by a transfer
        transfer = Transfer.objects.get(pk=started.transfer.pk)
        if received.ok:
            assert transfer.state == TransferState.COMPLETED
            tally["received first"] += 1
        else:
            assert isinstance(received.error, errors.TransferNotPending), describe([changed, received])
            assert transfer.state == TransferState.CANCELLED
            assert set(
                Product.objects.filter(id__in=[p.id for p in products]).values_list("organization", flat=True)
            ) == {source.id}
            tally["rights lost first, transfer cancelled"] += 1
        _assert_consistent()
    FIGURES.append(
        f"receive vs initiator {lose_rights.__name__.strip('_')}: {TRIALS} trials x 2 contenders, "
        f"outcomes {dict(tally)}"
    )
