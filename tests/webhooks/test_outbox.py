"""The outbox is written with the transfer's change, in a number of statements that does not grow with
the number of products: one event per listening Organization, one delivery per listening endpoint."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from handover.transfers.services import receive_transfer, start_transfer
from handover.webhooks.models import WebhookDelivery, WebhookEvent
from tests.support import factories


def _statements(terms, n: int) -> tuple[int, int]:
    owner, recipient = factories.make_user(), factories.make_user()
    source, destination = factories.make_org(owner=owner), factories.make_org(owner=recipient)
    factories.make_webhook(source, events=["transfer.started", "transfer.completed"])
    factories.make_webhook(source, events=["transfer.completed"])
    factories.make_webhook(destination, events=["transfer.completed"])
    factories.make_webhook(destination, events=["transfer.cancelled"])  # not this one
    products = factories.make_products(source, n)
    with CaptureQueriesContext(connection) as start:
        started = start_transfer(
            actor=owner,
            organization=source,
            product_ids=[p.id for p in products],
            accept_terms=True,
            acknowledge_warnings=True,
        )
    with CaptureQueriesContext(connection) as receive:
        receive_transfer(actor=recipient, token=started.token, destination=destination, accept_terms=True)
    return len(start), len(receive)


def test_the_outbox_takes_the_same_statements_for_10_or_1000_products(terms):
    assert _statements(terms, 10) == _statements(terms, 1000)


def test_each_listening_organization_gets_one_event_and_each_listening_endpoint_one_delivery(terms):
    _statements(terms, 3)
    assert sorted(WebhookEvent.objects.values_list("type", flat=True)) == [
        "transfer.completed",
        "transfer.completed",
        "transfer.started",
    ]
    assert WebhookDelivery.objects.filter(event__type="transfer.completed").count() == 3
    assert WebhookDelivery.objects.filter(event__type="transfer.started").count() == 1
