"""/metrics: Prometheus text for a bearer of HANDOVER_METRICS_TOKEN; requests by route name (never a
path), and the fleet's figures read from the database at each scrape."""

import re
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from handover.transfers.services import receive_transfer, send_transfer_link
from tests.support.servers import request, wait_until_answering
from tests.support.world import make_world

TOKEN = "metrics-token-for-tests"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of an exposition."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.HANDOVER_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}"])
def test_metrics_refuse_a_missing_or_wrong_token(client, settings, authorization):
    settings.HANDOVER_METRICS_TOKEN = TOKEN
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert not response.content


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_and_status_never_by_path(client, settings):
    settings.HANDOVER_METRICS_TOKEN = TOKEN
    secret = "a-link-secret-that-must-stay-out-of-metrics"
    key = (
        "handover_http_requests_total",
        (("method", "GET"), ("route", "transfers:receive_link"), ("status", "302")),
    )
    before = scrape(client).get(key, 0)
    for _ in range(3):
        client.get(f"/transfers/receive/{secret}")
    client.get(f"/no/such/{secret}")
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert samples(text)[key] == before + 3
    assert 'route="unmatched"' in text
    assert secret not in text
    assert re.search(
        r'handover_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="transfers:receive_link"\}',
        text,
    )


@pytest.mark.django_db
def test_the_fleet_figures_come_from_the_database(client, settings, run_tasks, time_machine):
    settings.HANDOVER_METRICS_TOKEN = TOKEN
    time_machine.move_to(timezone.now(), tick=False)
    completed, pending = make_world(products=3), make_world(products=2)
    receive_transfer(
        actor=completed.recipient, token=completed.token, accept_terms=True, destination=completed.destination
    )
    run_tasks()  # the completion emails
    send_transfer_link(actor=pending.owner, transfer=pending.transfer, email="rita@example.com")
    time_machine.shift(timedelta(seconds=90))

    figures = scrape(client)
    assert figures[("handover_transfers", (("state", "pending"),))] == 1
    assert figures[("handover_transfers", (("state", "completed"),))] == 1
    assert figures[("handover_transfers", (("state", "expired"),))] == 0
    assert figures[("handover_products_moved", ())] == 3
    assert figures[("handover_task_queue_waiting", ())] == 1  # the link's email
    assert figures[("handover_task_queue_oldest_wait_seconds", ())] == 90
    sent = DBTaskResult.objects.filter(task_path__endswith="_emails", status="SUCCESSFUL").count()
    assert sent >= 1
    assert figures[("handover_email_deliveries", (("status", "SUCCESSFUL"),))] == sent
    assert figures[("handover_email_deliveries", (("status", "READY"),))] == 1
    assert (
        figures[("handover_task_results", (("status", "READY"), ("task", "send_transfer_link_email")))] == 1
    )


@pytest.mark.slow
def test_request_counters_add_up_across_the_http_workers_of_a_server(serve, tmp_path):
    """Two granian worker processes answer; whichever answers the scrape, it counts both."""
    server, port = serve("--no-worker", "--workers", "2", "--threads", "2", HANDOVER_METRICS_TOKEN=TOKEN)
    pids = [int(re.search(r"PID: (\d+)", server.wait_for(f"Spawning worker-{n}")).group(1)) for n in (1, 2)]
    server.wait_for("Started worker-2")
    wait_until_answering(port)
    metrics_dir = tmp_path / "metrics" / str(port)

    sent = 0
    lock = threading.Lock()

    def send(count: int) -> None:
        nonlocal sent
        for _ in range(count):
            assert request(port, "GET", "/healthz")[0] == 200
            with lock:
                sent += 1

    # New connections from several threads at once, until both workers have answered (bounded).
    for _round in range(20):
        threads = [threading.Thread(target=send, args=(10,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if all(list(metrics_dir.glob(f"counter_{pid}.db")) for pid in pids):
            break
    assert all(list(metrics_dir.glob(f"counter_{pid}.db")) for pid in pids), "one worker answered everything"

    for _scrape in range(4):  # each scrape may land on either worker: all see the sum
        status, _headers, body = request(port, "GET", "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        figures = samples(body.decode())
        key = (
            "handover_http_requests_total",
            (("method", "GET"), ("route", "web:healthz"), ("status", "200")),
        )
        assert figures[key] == sent
    assert request(port, "GET", "/metrics", {"Authorization": "Bearer wrong"})[0] == 401
