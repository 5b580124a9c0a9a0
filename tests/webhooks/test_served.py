"""Through real processes: `handover serve` (its server and its task worker) on the settings a
deployment sets, an endpoint registered by the API, a transfer started and received by the API, and
both events delivered to a real HTTPS receiver, each verified with the documentation's function."""

import json
import time

import pytest

from tests.support.processes import embedded_env, last_line, run_handover
from tests.support.servers import request, wait_until_answering
from tests.support.webhooks import Receiver, documented_verification

pytestmark = pytest.mark.slow


def _api(port, token, path, body):
    status, _headers, answer = request(
        port,
        "POST",
        f"/api/v1/{path}",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )
    return status, json.loads(answer or b"{}")


def test_a_served_transfer_reaches_the_receiver_signed(serve, tmp_path):
    receiver = Receiver(tmp_path)
    settings = {"HANDOVER_WEBHOOK_ALLOW_PRIVATE": "1", "HANDOVER_WEBHOOK_CA_FILE": receiver.ca_file}
    env = embedded_env(tmp_path, **settings)
    run_handover(env, "migrate", "--verbosity", "0")
    code = "from tests.support.server_data import populate; populate(recipients=1, batches=1, per_batch=3)"
    data = json.loads(last_line(run_handover(env, "shell", "--no-imports", "-c", code)))
    server, port = serve(**settings)
    server.wait_for("Handover is serving")
    wait_until_answering(port)
    try:
        status, endpoint = _api(
            port,
            data["owner"],
            f"organizations/{data['source']}/webhooks",
            {"url": receiver.url(), "events": ["transfer.started", "transfer.completed"]},
        )
        assert status == 201, endpoint
        status, started = _api(
            port,
            data["owner"],
            f"organizations/{data['source']}/transfers",
            {"product_ids": data["batches"][0], "accept_terms": True, "acknowledge_warnings": True},
        )
        assert status == 201, started
        recipient = data["recipients"][0]
        status, received = _api(
            port,
            recipient["token"],
            "transfer-links/receive",
            {
                "token": started["token"],
                "destination_organization_id": recipient["org"],
                "accept_terms": True,
            },
        )
        assert status == 200, received

        deadline = time.monotonic() + 60
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        verify = documented_verification()
        events = [json.loads(r.body) for r in receiver.requests]
        assert sorted(e["type"] for e in events) == ["transfer.completed", "transfer.started"]
        assert all(
            verify(endpoint["secret"], r.headers["Handover-Signature"], r.body) for r in receiver.requests
        )
        assert {e["data"]["transfer"]["id"] for e in events} == {started["id"]}
    finally:
        receiver.close()
