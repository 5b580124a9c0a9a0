"""A task worker killed while sending loses no email: it is sent once a worker runs again.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a worker
killed in the middle (SIGKILL, out of memory, a lost machine) would leave it RUNNING for ever, the
email unsent. `handover worker` puts such tasks back in the queue once they have been running for
longer than HANDOVER_TASK_TIMEOUT seconds (each sweep tick, the first at start). Delivery is thus
at least once: an email whose sending was cut short may arrive twice, never not at all.
"""

import asyncio
import signal
import subprocess
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from handover.runtime.queue import requeue_stuck_tasks
from handover.transfers.tasks import send_transfer_ended_email
from tests.support.processes import embedded_env, last_line, run_handover, start_handover
from tests.support.servers import free_port

TIMEOUT = 120


class HoldingSmtp:
    """An SMTP server that holds the first message it receives until told to go on (the worker is
    killed meanwhile), and accepts the following ones."""

    def __init__(self):
        self.first_received = threading.Event()
        self.release = threading.Event()
        self.delivered = threading.Event()
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if not self.first_received.is_set():
            self.first_received.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, TIMEOUT)
            return "451 The sender went away"
        self.messages.append(envelope.content.decode())
        self.delivered.set()
        return "250 OK"


STATUSES = (
    "from django_tasks_db.models import DBTaskResult; "
    "print(sorted(DBTaskResult.objects.filter(task_path__endswith='send_transfer_link_email')"
    ".values_list('status', flat=True)))"
)
SEND_A_LINK = (
    "from tests.support.world import make_world; "
    "from handover.transfers.services import send_transfer_link; "
    "world = make_world(products=3); "
    "send_transfer_link(actor=world.owner, transfer=world.transfer, email='rita@example.com')"
)


@pytest.fixture
def smtp():
    handler = HoldingSmtp()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.release.set()
    controller.stop()


@pytest.mark.slow
def test_an_email_whose_worker_was_killed_while_sending_is_sent_by_the_next_worker(smtp, tmp_path):
    handler, port = smtp
    env = embedded_env(tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    run_handover(env, "migrate", "--verbosity", "0")
    run_handover(env, "shell", "--no-imports", "-c", SEND_A_LINK)

    worker = start_handover(
        env, "worker", "--no-startup-delay", "--sweep-interval", "3600", stdout=subprocess.DEVNULL
    )
    try:
        assert handler.first_received.wait(TIMEOUT), "the first worker never sent the email"
        worker.send_signal(signal.SIGKILL)  # in the middle of the SMTP conversation
        worker.wait(timeout=TIMEOUT)
    finally:
        worker.kill()
    handler.release.set()
    # Claimed, never finished: left so for ever without the requeue.
    assert last_line(run_handover(env, "shell", "--no-imports", "-c", STATUSES)) == "['RUNNING']"

    restarted = start_handover(
        {**env, "HANDOVER_TASK_TIMEOUT": "0"},
        "worker",
        "--no-startup-delay",
        "--sweep-interval",
        "3600",
        stdout=subprocess.DEVNULL,
    )
    try:
        assert handler.delivered.wait(TIMEOUT), "the email of the killed worker was lost"
    finally:
        restarted.terminate()
        restarted.wait(timeout=TIMEOUT)
    [message] = handler.messages
    assert "rita@example.com" in message and "/transfers/receive/" in message
    assert last_line(run_handover(env, "shell", "--no-imports", "-c", STATUSES)) == "['SUCCESSFUL']"


@pytest.mark.django_db
def test_only_tasks_running_for_longer_than_the_timeout_go_back_to_the_queue(time_machine):
    time_machine.move_to(timezone.now(), tick=False)

    stuck, recent, done = (send_transfer_ended_email.enqueue(transfer_id=str(i)) for i in range(3))
    DBTaskResult.objects.filter(pk=stuck.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=20)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )
    DBTaskResult.objects.filter(pk=done.id).update(
        status=TaskResultStatus.SUCCESSFUL, started_at=timezone.now() - timedelta(hours=1)
    )

    assert requeue_stuck_tasks(timeout=600) == 1

    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert {str(k): v for k, v in statuses.items()} == {
        str(stuck.id): TaskResultStatus.READY,
        str(recent.id): TaskResultStatus.RUNNING,
        str(done.id): TaskResultStatus.SUCCESSFUL,
    }
