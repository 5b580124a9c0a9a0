"""The database side of the fleet test, run by `handover shell -c` on the fleet's own database: `populate()`
makes the people, Organizations and products the clients use, `report()` says what the database holds.
Each prints one JSON line on stdout."""

import json
import sys
from collections import Counter

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from handover.accounts.services import create_api_token
from handover.products.models import Product
from handover.transfers.models import Transfer, TransferItem
from handover.webhooks.models import WebhookDelivery
from tests.support import factories
from tests.support.invariants import violations


def _say(value: object) -> None:
    sys.stdout.write(json.dumps(value, default=str) + "\n")
    sys.stdout.flush()


def _token(user) -> str:
    return create_api_token(user=user, name="fleet")[1]


def populate(*, pairs: int, products: int, password: str) -> None:
    """`pairs` senders, each the legal representative of an Organization holding `products` products
    (named after the pair, so that an email names its pair), and as many recipients with an
    Organization of their own; a user who browses the web pages; a user whose sign-ins fail."""
    factories.make_terms()
    made = []
    for n in range(pairs):
        sender = factories.make_user(f"sender{n}@fleet.example")
        source = factories.make_org(f"Source {n}", owner=sender)
        recipient = factories.make_user(f"recipient{n}@fleet.example")
        destination = factories.make_org(f"Destination {n}", owner=recipient)
        owned = Product.objects.bulk_create(
            Product(
                organization=source,
                type="web_hosting",
                name=f"p{n}-{k:03}.example",
                service_ref=f"fleet-{n}-{k}",
            )
            for k in range(products)
        )
        made.append(
            {
                "sender": sender.email,
                "sender_token": _token(sender),
                "source": str(source.id),
                "products": [str(p.id) for p in owned],
                "recipient": recipient.email,
                "recipient_token": _token(recipient),
                "destination": str(destination.id),
            }
        )
    browser = factories.make_user("browser@fleet.example", name="Bea Browser", password=password)
    factories.make_org("Browsing", owner=browser)
    factories.make_user("throttled@fleet.example", password=password)
    _say(made)


def report() -> None:
    """Every transfer with where its products are, the invariants' violations, and the tasks of the
    queue: their name ("sweep" for settings.HANDOVER_SWEEP_TASK), status, return value, how many
    workers took them, when they were enqueued and (last) started; the webhook deliveries by state."""
    holders: dict[str, set[str]] = {}
    for transfer_id, organization_id in TransferItem.objects.values_list(
        "transfer_id", "product__organization_id"
    ):
        holders.setdefault(str(transfer_id), set()).add(str(organization_id))
    products: dict[str, list[str]] = {}
    for transfer_id, product_id in TransferItem.objects.values_list("transfer_id", "product_id"):
        products.setdefault(str(transfer_id), []).append(str(product_id))
    transfers = {
        str(t.id): {
            "state": t.state,
            "source": str(t.source_organization_id),
            "destination": str(t.destination_organization_id) if t.destination_organization_id else None,
            "holders": sorted(holders.get(str(t.id), ())),
            "products": sorted(products.get(str(t.id), ())),
        }
        for t in Transfer.objects.all()
    }
    tasks = [
        {
            "task": "sweep" if path == settings.HANDOVER_SWEEP_TASK else path.rpartition(".")[2],
            "status": status,
            "returned": returned,
            "workers": len(workers),
            "enqueued_at": enqueued_at.timestamp(),
            "started_at": started_at.timestamp() if started_at else None,
        }
        for path, status, returned, workers, enqueued_at, started_at in DBTaskResult.objects.values_list(
            "task_path", "status", "return_value", "worker_ids", "enqueued_at", "started_at"
        )
    ]
    deliveries = Counter(WebhookDelivery.objects.values_list("state", flat=True))
    _say(
        {"transfers": transfers, "violations": violations(), "tasks": tasks, "webhook_deliveries": deliveries}
    )
