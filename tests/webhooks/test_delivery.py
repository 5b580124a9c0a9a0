"""Deliveries by the task workers to a real HTTPS receiver: signed, retried with backoff for 24 hours
then failed, every attempt recorded, at least once when a worker dies mid-attempt, and the address
checked again at every attempt."""

import socket
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from handover.transfers import services as transfer_services
from handover.transfers.services import cancel_transfer
from handover.webhooks import network, services
from handover.webhooks.models import (
    AttemptOutcome,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from handover.webhooks.tasks import sweep
from tests.support import factories


@pytest.fixture
def endpoint(org, webhook_receiver):
    return factories.make_webhook(org, webhook_receiver.url(), events=["transfer.started"])


def _delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def _attempts() -> list[tuple[str, int | None]]:
    return list(WebhookAttempt.objects.order_by("number").values_list("outcome", "status_code"))


def test_a_failing_receiver_is_retried_within_a_minute_then_with_growing_waits(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks
):
    webhook_receiver.statuses = [500, 503]
    start(owner, org, hosting)
    run_tasks()
    first_retry = _delivery().next_attempt_at - _delivery().created_at
    with time_machine.travel(_delivery().next_attempt_at + timedelta(seconds=1)):
        run_tasks()
        second_retry = _delivery().next_attempt_at - timezone.now()
    with time_machine.travel(_delivery().next_attempt_at + timedelta(seconds=1)):
        run_tasks()

    assert timedelta(seconds=25) < first_retry <= timedelta(minutes=1)
    assert timedelta(seconds=55) < second_retry <= timedelta(minutes=1)
    assert _attempts() == [("rejected", 500), ("rejected", 503), ("delivered", 200)]
    delivery = _delivery()
    assert (delivery.state, delivery.attempt_count, delivery.next_attempt_at) == ("delivered", 3, None)
    assert all(a.duration_ms is not None for a in WebhookAttempt.objects.all())
    # Each attempt sends the same event, freshly signed.
    assert len({r.body for r in webhook_receiver.requests}) == 1
    assert len(webhook_receiver.requests) == 3


def test_a_delivery_is_given_up_24_hours_after_its_event(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks
):
    webhook_receiver.close()  # connection refused, every time
    start(owner, org, hosting)
    created = _delivery().created_at
    run_tasks()
    schedule = []
    while _delivery().state == DeliveryState.PENDING:
        due = _delivery().next_attempt_at
        schedule.append(due - created)
        with time_machine.travel(due + timedelta(seconds=1)):
            run_tasks()

    delivery = _delivery()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.finished_at - created >= timedelta(hours=24)
    assert schedule[0] <= timedelta(minutes=1)
    assert schedule[-1] == timedelta(hours=24)
    assert [o for o, _ in _attempts()] == [AttemptOutcome.ERROR] * delivery.attempt_count
    assert delivery.attempt_count == len(services.RETRY_DELAYS) + 3 == 14


def test_no_answer_within_the_timeout_is_a_failed_attempt(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks, monkeypatch
):
    monkeypatch.setattr(network, "TIMEOUT", 0.5)
    answered = threading.Event()
    webhook_receiver.delay = answered  # the receiver waits for this before answering
    start(owner, org, hosting)
    try:
        run_tasks()
    finally:
        answered.set()
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.TIMEOUT
    assert 400 <= attempt.duration_ms < 3000
    assert _delivery().state == DeliveryState.PENDING


def test_a_redirect_is_not_followed(endpoint, webhook_receiver, start, owner, org, hosting, run_tasks):
    webhook_receiver.statuses = [307]
    start(owner, org, hosting)
    run_tasks()
    assert _attempts() == [("rejected", 307)]
    assert len(webhook_receiver.requests) == 1


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even `finally` blocks of the caller's choosing."""


def test_a_worker_dying_mid_attempt_leaves_the_delivery_to_another(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks, monkeypatch
):
    start(owner, org, hosting)
    delivery = _delivery()

    def die(*args, **kwargs):
        raise WorkerKilled()

    with monkeypatch.context() as patch:
        patch.setattr(network, "post", die)
        with pytest.raises(WorkerKilled):
            services.deliver(delivery_id=delivery.id)
    # Claimed by the dead worker: nobody else sends it meanwhile.
    assert services.deliver(delivery_id=delivery.id) is None

    with time_machine.travel(timezone.now() + services.CLAIM + timedelta(minutes=1)):
        sweep.enqueue()
        run_tasks()

    assert _attempts() == [("interrupted", None), ("delivered", 200)]
    assert _delivery().state == DeliveryState.DELIVERED
    assert len(webhook_receiver.requests) == 1


def test_the_address_is_checked_again_at_each_attempt(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks, settings
):
    settings.HANDOVER_WEBHOOK_ALLOW_PRIVATE = False  # localhost was allowed when it was registered
    start(owner, org, hosting)
    run_tasks()
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.REFUSED
    assert "not a public address" in attempt.error
    assert webhook_receiver.requests == []


def test_a_name_that_resolves_elsewhere_at_delivery_is_refused(
    org, start, owner, hosting, run_tasks, monkeypatch
):
    """DNS rebinding: public when registered, 127.0.0.1 when sent; the check is on the address used."""
    answers = iter(["93.184.215.14", "127.0.0.1"])

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(network.socket, "getaddrinfo", getaddrinfo)
    services.register_webhook(
        actor=owner, organization=org, url="https://rebind.example/hook", events=["transfer.started"]
    )
    start(owner, org, hosting)
    run_tasks()
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.REFUSED
    assert "127.0.0.1" in attempt.error


def test_an_untrusted_certificate_is_a_failed_attempt(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks, settings
):
    settings.HANDOVER_WEBHOOK_CA_FILE = ""  # the system's authorities do not know the receiver's
    start(owner, org, hosting)
    run_tasks()
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.ERROR
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert webhook_receiver.requests == []


def test_a_change_rolled_back_announces_nothing(start, owner, org, hosting):
    started = start(owner, org, hosting)
    factories.make_webhook(org, events=["transfer.cancelled"])

    @transaction.atomic
    def cancel_then_fail():
        cancel_transfer(actor=owner, transfer=started.transfer)
        assert WebhookEvent.objects.filter(type="transfer.cancelled").count() == 1
        raise RuntimeError

    with pytest.raises(RuntimeError):
        cancel_then_fail()
    assert WebhookEvent.objects.count() == WebhookDelivery.objects.count() == 0


def test_a_deleted_endpoint_gets_nothing_more(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks
):
    webhook_receiver.statuses = [500]
    start(owner, org, hosting)
    run_tasks()
    services.delete_webhook(actor=owner, endpoint=endpoint)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        sweep.enqueue()
        run_tasks()
    assert len(webhook_receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 0


def test_the_sweep_hands_on_deliveries_even_when_the_transfers_part_fails(
    endpoint, webhook_receiver, start, owner, org, hosting, run_tasks, monkeypatch
):
    start(owner, org, hosting)
    DBTaskResult.objects.filter(task_path__endswith=".deliver_webhook").delete()  # its task was lost

    def broken():
        raise RuntimeError("the transfers' sweep failed")

    monkeypatch.setattr(transfer_services, "expire_due_transfers", broken)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        with pytest.raises(RuntimeError):
            sweep.call()
        run_tasks()
    assert _delivery().state == DeliveryState.DELIVERED
