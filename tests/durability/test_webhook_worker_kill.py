"""A task worker killed in the middle of a webhook delivery loses no event: its claim on the
delivery lapses, the sweep hands the delivery to the next worker, and the receiver gets the event
again (at least once: the same Handover-Event-Id twice), the cut attempt listed as interrupted."""

import ast
import signal
import subprocess
import threading
import time

import pytest

from tests.support.processes import embedded_env, last_line, run_handover, start_handover
from tests.support.webhooks import Receiver, documented_verification

TIMEOUT = 180

START_A_TRANSFER = (
    "from tests.support import factories; "
    "from handover.transfers.services import start_transfer; "
    "factories.make_terms(); owner = factories.make_user(); org = factories.make_org(owner=owner); "
    "endpoint = factories.make_webhook(org, {url!r}, events=['transfer.started']); "
    "start_transfer(actor=owner, organization=org, product_ids=[factories.make_product(org).id], "
    "accept_terms=True, acknowledge_warnings=True); "
    "print(endpoint.secret)"
)
ATTEMPTS = (
    "from handover.webhooks.models import WebhookAttempt, WebhookDelivery; "
    "print([WebhookDelivery.objects.get().state, "
    "list(WebhookAttempt.objects.order_by('number').values_list('outcome', flat=True))])"
)


def _attempts(env):
    """[the delivery's state, the outcomes of its attempts in order], read in the worker's database."""
    return ast.literal_eval(last_line(run_handover(env, "shell", "--no-imports", "-c", ATTEMPTS)))


@pytest.mark.slow
def test_a_delivery_whose_worker_was_killed_mid_attempt_is_made_by_the_next_worker(tmp_path):
    receiver = Receiver(tmp_path)
    receiver.delay = threading.Event()  # the first POST is held until the worker is dead
    env = embedded_env(
        tmp_path, HANDOVER_WEBHOOK_ALLOW_PRIVATE="1", HANDOVER_WEBHOOK_CA_FILE=receiver.ca_file
    )
    try:
        run_handover(env, "migrate", "--verbosity", "0")
        secret = last_line(
            run_handover(env, "shell", "--no-imports", "-c", START_A_TRANSFER.format(url=receiver.url()))
        )
        worker = start_handover(
            env, "worker", "--no-startup-delay", "--sweep-interval", "3600", stdout=subprocess.DEVNULL
        )
        try:
            assert receiver.arrived.wait(TIMEOUT), "the first worker never sent the delivery"
            worker.send_signal(signal.SIGKILL)  # while it waits for the answer
            worker.wait(timeout=TIMEOUT)
        finally:
            worker.kill()
        receiver.delay.set()
        assert _attempts(env) == [
            "pending",
            ["in_progress"],
        ]

        # The next worker's sweep (every 5 s) finds the claim lapsed (60 s) and hands the delivery on.
        started = time.monotonic()
        restarted = start_handover(
            env, "worker", "--no-startup-delay", "--sweep-interval", "5", stdout=subprocess.DEVNULL
        )
        try:
            while len(receiver.requests) < 2 and time.monotonic() - started < TIMEOUT:
                time.sleep(0.5)
        finally:
            restarted.terminate()
            restarted.wait(timeout=TIMEOUT)
        recovered_in = time.monotonic() - started
    finally:
        receiver.close()

    first, second = receiver.requests
    assert first.headers["Handover-Event-Id"] == second.headers["Handover-Event-Id"]
    assert first.body == second.body
    verify = documented_verification()
    assert verify(secret, second.headers["Handover-Signature"], second.body)
    assert _attempts(env) == [
        "delivered",
        ["interrupted", "delivered"],
    ]
    assert recovered_in < 90
