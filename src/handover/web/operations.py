"""What a load balancer and Prometheus ask each server: /healthz, /readyz, /metrics.

They answer without a session and whatever the Host header (see ProbeMiddleware): probes come by
address, over plain HTTP from inside the network. None reveals a version or a secret.
"""

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from handover.runtime.health import OK, readiness
from handover.runtime.metrics import exposition
from handover.runtime.queue import queue_figures, task_result_counts
from handover.transfers.selectors import transfer_figures
from handover.webhooks.models import AttemptOutcome, DeliveryState
from handover.webhooks.selectors import delivery_figures


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers (no database involved)."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Database reachable, migrations applied, task queue reachable: 200, else 503 naming what fails."""
    checks = readiness()
    failing = [name for name, state in checks.items() if state != OK]
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a bearer of HANDOVER_METRICS_TOKEN: 404 while no token is set
    (the endpoint does not exist), 401 for a missing or wrong token."""
    token = settings.HANDOVER_METRICS_TOKEN
    if not token:
        return HttpResponse(status=404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(DomainFigures()), content_type=CONTENT_TYPE_LATEST)


def _task_name(task_path: str) -> str:
    return task_path.rpartition(".")[2]


class DomainFigures:
    """Figures read from the database at each scrape, so they are the same from every server: the
    fleet's totals. Each app gives its figures through one selector."""

    def collect(self) -> Iterator[Metric]:
        transfers = transfer_figures()
        by_state = GaugeMetricFamily("handover_transfers", "Transfers by state.", labels=["state"])
        for state, count in transfers.by_state.items():
            by_state.add_metric([state], count)
        yield by_state
        yield GaugeMetricFamily(
            "handover_products_moved",
            "Products moved by completed transfers.",
            value=transfers.products_moved,
        )

        queue = queue_figures()
        yield GaugeMetricFamily(
            "handover_task_queue_waiting", "Tasks ready to run, not yet taken.", value=queue.waiting
        )
        yield GaugeMetricFamily(
            "handover_task_queue_running", "Tasks a worker is running.", value=queue.running
        )
        yield GaugeMetricFamily(
            "handover_task_queue_oldest_wait_seconds",
            "How long the oldest task ready to run has waited (0 when none waits).",
            value=queue.oldest_wait_seconds,
        )

        tasks = GaugeMetricFamily(
            "handover_task_results", "Retained task results by task and status.", labels=["task", "status"]
        )
        emails = GaugeMetricFamily(
            "handover_email_deliveries",
            "Email tasks (send_…_email[s]) in the retained task results, by status.",
            labels=["status"],
        )
        email_counts: dict[str, int] = {}
        for (path, status), count in sorted(task_result_counts().items()):
            name = _task_name(path)
            tasks.add_metric([name, status], count)
            if name.endswith(("_email", "_emails")):
                email_counts[status] = email_counts.get(status, 0) + count
        for status, count in email_counts.items():
            emails.add_metric([status], count)
        yield tasks
        yield emails

        webhooks = delivery_figures()
        ended = CounterMetricFamily(
            "handover_webhook_deliveries",
            "Webhook deliveries that ended, by outcome (delivered, failed: given up after 24 hours).",
            labels=["outcome"],
        )
        for state in (DeliveryState.DELIVERED, DeliveryState.FAILED):
            ended.add_metric([state.value], webhooks.deliveries[state])
        yield ended
        yield GaugeMetricFamily(
            "handover_webhook_deliveries_pending",
            "Webhook deliveries not yet delivered nor given up.",
            value=webhooks.deliveries[DeliveryState.PENDING],
        )
        attempts = CounterMetricFamily(
            "handover_webhook_delivery_attempts",
            "Webhook delivery attempts, by outcome.",
            labels=["outcome"],
        )
        for outcome in AttemptOutcome:
            attempts.add_metric([outcome.value], webhooks.attempts[outcome])
        yield attempts
