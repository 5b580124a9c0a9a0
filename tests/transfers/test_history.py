"""Where was this product when: the audit trail of a transfer is one event per Organization, and the
transfer's items (each with its transfer's source, destination and times) are every product's record.

Why not one audit event per product: a 10,000-product transfer would write 20,000 rows to the logs
that people read, and each would repeat what the item already holds. The items are never deleted while
their product exists, and they answer each product's history exactly.
"""

import json
from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from handover.audit.models import AuditAction, AuditEvent
from handover.products.models import natural_key
from handover.transfers.selectors import product_holder_at, product_transfer_history
from handover.transfers.services import cancel_transfer, complete_transfer, receive_transfer
from tests.support import factories

T0 = timezone.now().replace(microsecond=0)


def _at(hours: float):
    return T0 + timedelta(hours=hours)


def test_a_products_history_says_which_organization_held_it_at_any_instant(start, terms, owner, org):
    """Created in A at 0 h; a transfer to B cancelled at 2 h; moved A → B at 4 h, B → C at 8 h."""
    b_owner = factories.make_user()
    b, c = factories.make_org("B", owner=b_owner), factories.make_org("C", owner=b_owner)
    with time_machine.travel(_at(0), tick=False):
        product = factories.make_product(org, name="shop.example")
        others = factories.make_products(org, 59)
    with time_machine.travel(_at(1), tick=False):
        cancelled = start(owner, org, product, *others)
    with time_machine.travel(_at(2), tick=False):
        cancel_transfer(actor=owner, transfer=cancelled.transfer)
    with time_machine.travel(_at(3), tick=False):
        first = start(owner, org, product, *others)
    with time_machine.travel(_at(4), tick=False):
        receive_transfer(actor=b_owner, token=first.token, destination=b, accept_terms=True)
    with time_machine.travel(_at(7), tick=False):
        second = start(b_owner, b, product)
    with time_machine.travel(_at(8), tick=False):
        complete_transfer(actor=b_owner, transfer=second.transfer, destination=c, accept_terms=True)
    product.refresh_from_db()

    history = product_transfer_history(product_id=product.id)
    assert [
        (i.transfer.state, i.transfer.source_organization, i.transfer.destination_organization)
        for i in history
    ] == [
        ("cancelled", org, None),
        ("completed", org, b),
        ("completed", b, c),
    ]
    holders = {
        hours: product_holder_at(product=product, when=_at(hours)) for hours in (-1, 0, 2, 3.9, 4, 6, 8, 9)
    }
    assert holders == {-1: None, 0: org, 2: org, 3.9: org, 4: b, 6: b, 8: c, 9: c}
    # The same for any product of the 60-product transfer, which only moved once.
    assert product_holder_at(product=others[42], when=_at(5)) == b
    assert product_holder_at(product=others[42], when=_at(3)) == org


def test_a_transfer_writes_one_event_per_organization_not_one_per_product(
    start, terms, owner, org, recipient, destination
):
    products = factories.make_products(org, 60)
    before = AuditEvent.objects.count()
    started = start(owner, org, *products)
    receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)

    events = AuditEvent.objects.order_by("created_at")[before:]
    transfer_events = [e for e in events if e.action.startswith("transfer:")]
    assert [(e.action, e.organization) for e in transfer_events] == [
        (AuditAction.TRANSFER_STARTED, org),
        (AuditAction.TRANSFER_COMPLETED, org),
        (AuditAction.TRANSFER_RECEIVED, destination),
    ]
    details = transfer_events[-1].details
    assert details["transfer_id"] == str(started.transfer.id)
    assert details["product_count"] == 60
    assert [p["name"] for p in details["products"]] == sorted((p.name for p in products), key=natural_key)[
        :50
    ]
    assert not AuditEvent.objects.filter(target_id__in=[str(p.id) for p in products]).exists()


def test_the_operator_asks_where_a_product_was_when(start, terms, owner, org, recipient, destination):
    with time_machine.travel(_at(0), tick=False):
        product = factories.make_product(org, name="shop.example")
        started = start(owner, org, product)
    with time_machine.travel(_at(1), tick=False):
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)

    def run(*args):
        out = StringIO()
        call_command("transfer", "history", str(product.id), *args, stdout=out)
        return out.getvalue()

    [move] = json.loads(run("--json"))
    assert (move["id"], move["state"]) == (str(started.transfer.id), "completed")
    assert move["source_organization"]["id"] == str(org.id)
    assert move["destination_organization"]["id"] == str(destination.id)
    assert json.loads(run("--at", _at(0.5).isoformat(), "--json")) == {"id": str(org.id), "name": org.name}
    assert json.loads(run("--at", _at(2).isoformat(), "--json"))["id"] == str(destination.id)
    assert "did not exist yet" in run("--at", _at(-1).isoformat())
