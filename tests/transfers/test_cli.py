"""The operator commands: `handover transfer list | cancel | expire`."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from handover.products.models import natural_key
from handover.transfers.models import Transfer, TransferState
from tests.support import factories


def run(*args: str) -> str:
    out = StringIO()
    call_command("transfer", *args, stdout=out)
    return out.getvalue()


def test_list_prints_the_organizations_transfers_by_name_or_id(start, org, owner, hosting):
    transfer = start(owner, org, hosting).transfer
    listed = run("list", "Source SA")
    assert str(transfer.id) in listed
    assert listed.rstrip().endswith("Source SA → …  (1 product)")
    [row] = json.loads(run("list", str(org.id), "--json"))
    assert row["id"] == str(transfer.id)
    assert row["state"] == "pending"
    assert row["source_organization"] == {"id": str(org.id), "name": "Source SA"}
    assert row["products"] == [{"id": str(hosting.id), "name": "shop.example", "type": "web_hosting"}]
    assert json.loads(run("list", "Source SA", "--state", "completed", "--json")) == []


def test_products_pages_through_a_transfers_products_by_name(start, org, owner):
    products = factories.make_products(org, 60)
    transfer = start(owner, org, *products).transfer
    names = sorted((p.name for p in products), key=natural_key)

    [row] = json.loads(run("list", "Source SA", "--json"))
    page = json.loads(run("products", str(transfer.id), "--offset", "55", "--json"))
    everything = run("products", str(transfer.id), "--limit", "0")

    assert (row["product_count"], len(row["products"])) == (60, 50)
    assert page["count"] == 60
    assert [p["name"] for p in page["items"]] == names[55:]
    assert everything.count("web_hosting-") == 60
    assert "60 of the transfer's 60 products" in everything


def test_cancel_ends_a_pending_transfer(start, org, owner, hosting):
    transfer = start(owner, org, hosting).transfer
    assert json.loads(run("cancel", str(transfer.id), "--json"))["state"] == "cancelled"
    assert Transfer.objects.get().state == TransferState.CANCELLED
    with pytest.raises(CommandError, match=r"no longer pending|cancelled"):
        run("cancel", str(transfer.id))


@pytest.mark.parametrize("ref", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_cancel_of_an_unknown_transfer_is_an_error(db, ref):
    with pytest.raises(CommandError, match="Not found"):
        run("cancel", ref)


def test_list_of_an_unknown_organization_is_an_error(db):
    with pytest.raises(CommandError):
        run("list", "Nobody Inc")


def test_expire_marks_due_transfers(start, org, owner, hosting):
    start(owner, org, hosting)
    assert json.loads(run("expire", "--json")) == {"expired": 0}
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert run("expire") == "Expired 1 transfers.\n"
    assert Transfer.objects.get().state == TransferState.EXPIRED


def test_a_transfer_past_its_expiry_reads_expired_before_the_sweep(start, org, owner, hosting):
    start(owner, org, hosting)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        [row] = json.loads(run("list", "Source SA", "--json"))
    assert row["state"] == "expired"
    assert Transfer.objects.get().state == TransferState.PENDING
