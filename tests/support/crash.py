"""The child side of the SIGKILL test: run by `handover shell -c` against a database of its own.

Each child prints what the parent needs on stdout, one line each, flushed: `step()` reports on the
previous transfer, prepares a new pending 1,000-product transfer when needed, then receives it,
stopping for good (until killed) after a chosen SQL statement or after the commit; `report()` says
the state of the database as JSON.
"""

import json
import sys
import time

from django.db import connection

from handover.accounts.models import User
from handover.organizations.models import Organization
from handover.products.models import Product
from handover.transfers.models import Transfer
from handover.transfers.services import receive_transfer
from tests.support.invariants import violations
from tests.support.world import make_world, snapshot


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _hang() -> None:
    """Wait for the parent's SIGKILL (reading stdin, which the parent never closes first)."""
    sys.stdin.readline()
    raise SystemExit("not killed")


def step(*, world: dict[str, str] | None, stop_after: int | None, products: int) -> None:
    """One life of a child: report on the previous `world` (if any); if there is none or its transfer
    was completed, prepare a new one and report on it; then receive it, stopping as `receive` says."""
    if world is not None:
        _say("REPORT " + json.dumps(_report(world["transfer"])))
    if world is None or Transfer.objects.get(pk=world["transfer"]).state != "pending":
        new = make_world(products=products)
        world = {
            "token": new.token,
            "transfer": str(new.transfer.id),
            "recipient": str(new.recipient.id),
            "destination": str(new.destination.id),
        }
        _say("WORLD " + json.dumps(world))
        _say("REPORT " + json.dumps(_report(world["transfer"])))
    _receive(world, stop_after)


def _receive(world: dict[str, str], stop_after: int | None) -> None:
    """Receive; with `stop_after` = k > 0 hang after the k-th SQL statement (BEGIN and the like
    included), with 0 hang after the commit, with None run to the end and say how it went."""
    count = 0

    def stop_after_statement(execute, sql, params, many, context):
        nonlocal count
        result = execute(sql, params, many, context)
        count += 1
        if count == stop_after:
            _say(f"STOPPED {count} {sql[:60]}")
            _hang()
        return result

    actor = User.objects.get(pk=world["recipient"])
    organization = Organization.objects.get(pk=world["destination"])
    _say("RECEIVING")
    started = time.monotonic()
    with connection.execute_wrapper(stop_after_statement):
        receive_transfer(actor=actor, token=world["token"], destination=organization, accept_terms=True)
    _say(f"DONE {count} {time.monotonic() - started:.3f}")
    if stop_after == 0:
        _hang()


def report(*, transfer: str) -> None:
    _say("REPORT " + json.dumps(_report(transfer)))


def _report(transfer: str) -> dict[str, object]:
    moving = Product.objects.filter(transfer_items__transfer_id=transfer)
    return {
        "state": Transfer.objects.get(pk=transfer).state,
        "holders": sorted({str(o) for o in moving.values_list("organization_id", flat=True)}),
        "violations": violations(),
        "snapshot": json.loads(json.dumps(snapshot(), default=str)),
    }
