"""/metrics counts webhook deliveries by outcome, from the database (the same on every server)."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import factories

TOKEN = "metrics-token-for-tests"


@pytest.mark.django_db
def test_webhook_deliveries_and_attempts_are_counted_by_outcome(
    client, settings, org, owner, start, webhook_receiver, run_tasks
):
    settings.HANDOVER_METRICS_TOKEN = TOKEN
    factories.make_webhook(org, webhook_receiver.url())
    webhook_receiver.statuses = [500]
    for product in factories.make_products(org, 3):
        start(owner, org, product)
    run_tasks()

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    figures = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
    assert figures[("handover_webhook_deliveries_total", (("outcome", "delivered"),))] == 2
    assert figures[("handover_webhook_deliveries_total", (("outcome", "failed"),))] == 0
    assert figures[("handover_webhook_deliveries_pending", ())] == 1
    assert figures[("handover_webhook_delivery_attempts_total", (("outcome", "rejected"),))] == 1
    assert figures[("handover_webhook_delivery_attempts_total", (("outcome", "delivered"),))] == 2
