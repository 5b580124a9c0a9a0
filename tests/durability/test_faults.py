"""SPEC §5 "Durability": a receive interrupted at any point leaves the whole move or none of it.

Faults are injected in the real transaction (`transaction=True`): before and after each SQL statement
the receive sends, and after each step of the move (the functions `_move` calls). After each fault the
database is exactly as before (each product in its Organization, every access row, membership and
audit entry untouched, no email queued), the invariants hold, and receiving again then succeeds.
"""

import pytest
from django.db import connection

from handover.organizations import access
from handover.organizations.models import Organization
from handover.products.models import Product
from handover.transfers import services
from handover.transfers.models import TransferState
from tests.support.invariants import violations
from tests.support.racing import FIGURES
from tests.support.world import make_world, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class InjectedFault(Exception):
    """Stands for anything that can interrupt a request: a bug, a lost connection, a timeout."""


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class FaultAtStatement:
    """An execute wrapper that raises before (or after) the `at`-th SQL statement that reads or writes
    rows, and counts them. Transaction control (BEGIN, SAVEPOINT…) is Django's own machinery, left
    alone: a crash there is the SIGKILL test's business."""

    def __init__(self, at: int | None = None, after: bool = False):
        self.at, self.after, self.count, self.sql = at, after, 0, ""

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return execute(sql, params, many, context)
        self.count += 1
        if self.count == self.at and not self.after:
            self.sql = sql
            raise InjectedFault(sql)
        result = execute(sql, params, many, context)
        if self.count == self.at and self.after:
            self.sql = sql
            raise InjectedFault(sql)
        return result


def _receive(world, **kwargs):
    kwargs.setdefault("destination", world.destination)
    return services.receive_transfer(actor=world.recipient, token=world.token, accept_terms=True, **kwargs)


def _assert_nothing_changed(before, where):
    assert snapshot() == before, f"changed by a fault {where}"
    assert violations() == [], where


def _assert_received(world):
    transfer = _receive(world)
    assert transfer.state == TransferState.COMPLETED
    assert set(
        Product.objects.filter(id__in=[p.id for p in world.products]).values_list("organization", flat=True)
    ) == {world.destination.id}
    assert violations() == []


def _statements_of_a_receive(**kwargs) -> int:
    world = make_world(products=12)
    counter = FaultAtStatement()
    with connection.execute_wrapper(counter):
        _receive(world, **kwargs)
    return counter.count


@pytest.mark.parametrize("into", ["existing", "new"], ids=["into-existing-org", "into-new-org"])
def test_a_receive_interrupted_at_any_sql_statement_changes_nothing(into):
    kwargs = {"new_organization_name": "Created for it", "destination": None} if into == "new" else {}
    total = _statements_of_a_receive(**{**kwargs, "new_organization_name": "Counting"} if kwargs else {})
    world = make_world(products=30)
    points = 0
    for at in range(1, total + 1):
        for after in (False, True):
            before = snapshot()
            fault = FaultAtStatement(at, after)
            with pytest.raises(InjectedFault), connection.execute_wrapper(fault):
                _receive(world, **kwargs)
            _assert_nothing_changed(before, f"{'after' if after else 'before'} statement {at}: {fault.sql}")
            points += 1
    if into == "new":
        assert not Organization.objects.filter(name="Created for it").exists()
    _assert_received(world) if into == "existing" else _receive(world, **kwargs)
    assert violations() == []
    FIGURES.append(f"receive {into}: {points} SQL fault points ({total} statements, before and after each)")


# Each step of the move, as the module the move calls it through.
STEPS = {
    "require_admin": access,
    "apply_transfer_policy": services,
    "record_acceptance": services,
    "record_events": services,
    "create_organization": services,
}


@pytest.mark.parametrize("step", STEPS)
def test_a_receive_failing_right_after_each_step_of_the_move_changes_nothing(monkeypatch, step):
    world = make_world(products=30)
    module = STEPS[step]
    original = getattr(module, step)

    def done_then_fail(**kwargs):
        original(**kwargs)
        raise InjectedFault(step)

    monkeypatch.setattr(module, step, done_then_fail)
    kwargs = (
        {"new_organization_name": "Created for it", "destination": None}
        if step == "create_organization"
        else {}
    )
    before = snapshot()
    with pytest.raises(InjectedFault):
        _receive(world, **kwargs)
    _assert_nothing_changed(before, f"after {step}")
    monkeypatch.undo()
    _assert_received(world)


def test_a_receive_whose_email_cannot_be_queued_changes_nothing(monkeypatch):
    """The email task is written in the move's transaction: no queue, no move (and the reverse)."""
    world = make_world(products=30)

    class Unqueueable:
        @staticmethod
        def enqueue(**kwargs):
            raise InjectedFault("enqueue")

    monkeypatch.setattr(services.tasks, "send_transfer_completed_emails", Unqueueable)
    before = snapshot()
    with pytest.raises(InjectedFault):
        _receive(world)
    _assert_nothing_changed(before, "when queueing the email")
    monkeypatch.undo()
    _assert_received(world)
