"""Webhook events, with their deliveries and attempts, are kept HANDOVER_WEBHOOK_RETENTION_DAYS (30)
after they were written, then the sweep forgets them, 100 at a time in a fixed number of statements,
never one whose delivery is still being retried."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from handover.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEvent
from handover.webhooks.services import forget_old_events
from handover.webhooks.tasks import sweep
from tests.support import factories


def _events(endpoint, count: int, *, state: str = DeliveryState.DELIVERED) -> None:
    for _ in range(count):
        event = WebhookEvent.objects.create(
            organization=endpoint.organization, type="transfer.started", body="{}"
        )
        delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, state=state)
        WebhookAttempt.objects.create(delivery=delivery, number=1, outcome="delivered", status_code=200)


def test_the_sweep_forgets_the_events_of_more_than_30_days_whose_deliveries_ended(org, settings):
    endpoint = factories.make_webhook(org)
    long_ago = timezone.now() - timedelta(days=31)
    with time_machine.travel(long_ago):
        _events(endpoint, 3)
        _events(endpoint, 1, state=DeliveryState.FAILED)
        _events(endpoint, 1, state=DeliveryState.PENDING)  # still retried: kept
    with time_machine.travel(timezone.now() - timedelta(days=29)):
        _events(endpoint, 2)

    result = sweep.call()

    assert result["webhook_events_forgotten"] == 4
    assert WebhookEvent.objects.count() == 3
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"pending", "delivered"}
    assert WebhookAttempt.objects.count() == 3
    settings.HANDOVER_WEBHOOK_RETENTION_DAYS = 10
    assert forget_old_events() == 2


def test_forgetting_costs_the_same_statements_for_2_or_100_events_and_goes_100_at_a_time(
    org, django_assert_max_num_queries, django_assert_num_queries
):
    endpoint = factories.make_webhook(org)
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        _events(endpoint, 2)
    with django_assert_max_num_queries(6) as few:
        assert forget_old_events() == 2
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        _events(endpoint, 150)
    with django_assert_num_queries(len(few.captured_queries)):
        assert forget_old_events() == 100
    assert forget_old_events() == 50
    assert (
        WebhookEvent.objects.count() == WebhookDelivery.objects.count() == WebhookAttempt.objects.count() == 0
    )
