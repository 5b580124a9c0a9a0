"""docs/webhooks.md is enough to write a receiver: its verification function, taken from the page,
accepts every delivery of a transfer's whole lifecycle received by a real HTTPS server, and refuses a
tampered body, a wrong secret and an old timestamp."""

import json
from datetime import timedelta

import time_machine
from django.utils import timezone

from handover.transfers.services import cancel_transfer, decline_transfer, receive_transfer
from handover.webhooks.models import DeliveryState, WebhookDelivery
from handover.webhooks.tasks import sweep
from tests.support import factories
from tests.support.api import ApiClient
from tests.support.webhooks import documented_verification


def _register(client, organization, url):
    response = client.post(
        f"/organizations/{organization.id}/webhooks",
        {
            "url": url,
            "events": [
                "transfer.started",
                "transfer.completed",
                "transfer.cancelled",
                "transfer.declined",
                "transfer.expired",
            ],
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["secret"]


def test_the_documented_function_verifies_every_delivery_of_a_lifecycle(
    webhook_receiver, start, owner, org, recipient, destination, run_tasks
):
    verify = documented_verification()
    secrets = {
        webhook_receiver.url(f"/{org.id}"): _register(
            ApiClient(owner), org, webhook_receiver.url(f"/{org.id}")
        ),
        webhook_receiver.url(f"/{destination.id}"): _register(
            ApiClient(recipient), destination, webhook_receiver.url(f"/{destination.id}")
        ),
    }
    checked: list[tuple[str, str]] = []

    def receive_and_check() -> None:
        """Run the workers, then check what arrived since the last call, as the receiver would."""
        run_tasks()
        for request in webhook_receiver.requests[len(checked) :]:
            secret = secrets[webhook_receiver.url(request.path)]
            assert verify(secret, request.headers["Handover-Signature"], request.body)
            assert not verify(secret, request.headers["Handover-Signature"], request.body + b" ")
            assert not verify(secrets_other(secret), request.headers["Handover-Signature"], request.body)
            event = json.loads(request.body)
            assert request.headers["Handover-Event-Id"] == event["id"]
            assert request.path == f"/{event['organization_id']}"
            assert set(event) == {"id", "type", "created_at", "organization_id", "data"}
            checked.append((event["type"], event["organization_id"]))

    def secrets_other(secret):
        return next(s for s in secrets.values() if s != secret)

    products = factories.make_products(org, 4)
    completed = start(owner, org, products[0])
    receive_and_check()
    receive_transfer(actor=recipient, token=completed.token, destination=destination, accept_terms=True)
    receive_and_check()
    cancelled = start(owner, org, products[1])
    cancel_transfer(actor=owner, transfer=cancelled.transfer)
    declined = start(owner, org, products[2])
    decline_transfer(actor=recipient, token=declined.token)
    start(owner, org, products[3])
    receive_and_check()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        sweep.enqueue()
        receive_and_check()
        # An old timestamp is refused: the same request, checked 10 minutes later.
        last = webhook_receiver.requests[-1]
        with time_machine.travel(timezone.now() + timedelta(minutes=10)):
            assert not verify(
                secrets[webhook_receiver.url(last.path)], last.headers["Handover-Signature"], last.body
            )

    source, target = str(org.id), str(destination.id)
    assert sorted(checked) == sorted(
        [
            ("transfer.started", source),
            ("transfer.completed", source),
            ("transfer.completed", target),
            ("transfer.started", source),
            ("transfer.cancelled", source),
            ("transfer.started", source),
            ("transfer.declined", source),
            ("transfer.started", source),
            ("transfer.expired", source),
        ]
    )
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    assert WebhookDelivery.objects.count() == 9
