"""`handover worker`: a task worker, which also enqueues the periodic transfer sweep.

The main thread runs django-tasks-db's worker loop (the `db_worker` command, without autoreload); a
daemon thread enqueues the sweep every `--sweep-interval` seconds. Any number of workers may run:
the sweep is idempotent, and a worker enqueues none while one is already waiting in the queue. At
each tick the thread also requeues the tasks left running by a worker that died (see
`requeue_stuck_tasks`).
"""

import ctypes
import logging
import os
import signal
import sys
import threading
from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("handover.worker")

# Set by `handover serve` to its own pid: the worker then stops when that process dies.
PARENT_ENV = "HANDOVER_WORKER_PARENT"
SWEEP_TASK = "handover.transfers.tasks.sweep_transfers"
# A finished sweep is only a heartbeat: keep a day of them, so that 1,440 rows a day don't pile up.
SWEEP_RESULTS_KEPT = timedelta(days=1)


def default_sweep_interval() -> float:
    """Seconds between two sweeps: `HANDOVER_SWEEP_INTERVAL`, 60 by default (0 disables them)."""
    return float(os.environ.get("HANDOVER_SWEEP_INTERVAL", "60"))


def default_task_timeout() -> float:
    """Seconds after which a running task counts as abandoned: `HANDOVER_TASK_TIMEOUT`, 900 by default."""
    return float(os.environ.get("HANDOVER_TASK_TIMEOUT", "900"))


def requeue_stuck_tasks(*, timeout: float) -> int:
    """Put back in the queue the tasks marked running for more than `timeout` seconds; returns how many.

    django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so a
    worker killed in the middle (SIGKILL, out of memory, a lost machine) would leave its task, an
    email say, undone for ever. Delivery becomes at least once: a task cut short may run twice.
    """
    cutoff = timezone.now() - timedelta(seconds=timeout)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY, started_at=None
    )


def enqueue_sweep() -> bool:
    """Enqueue the transfer sweep unless one is already waiting; returns whether one was enqueued.

    Also deletes the results of sweeps that finished more than a day ago. Raises ImportError while
    the sweep task does not exist.
    """
    task = import_string(SWEEP_TASK)
    DBTaskResult.objects.finished().filter(
        task_path=task.module_path, finished_at__lt=timezone.now() - SWEEP_RESULTS_KEPT
    ).delete()
    # Two workers may both pass this check at once; a second sweep then finds nothing left to do.
    if DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
        return False
    task.enqueue()
    return True


def terminate_with_parent(parent: int, sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send this process `sig` when its parent dies, even of SIGKILL, so that no child
    outlives its server; exit at once if `parent` is already gone. Elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(sig))
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        raise SystemExit(0)


def stop_with_parent() -> None:
    """Under `handover serve` (which names itself in the environment), stop when it dies."""
    if parent := os.environ.get(PARENT_ENV):
        terminate_with_parent(int(parent))


class SweepScheduler(threading.Thread):
    """Enqueues the sweep at once (even if stopped before it ran), then every `interval` seconds,
    until `stop()`."""

    def __init__(self, interval: float):
        super().__init__(name="sweep-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            self.tick()
            if self.stopping.wait(self.interval):
                return

    def tick(self) -> None:
        """Requeue the tasks of dead workers, and enqueue one sweep; a failure is logged and retried at
        the next tick, never fatal."""
        try:
            if requeued := requeue_stuck_tasks(timeout=default_task_timeout()):
                logger.warning(
                    "Requeued %s task(s) abandoned by a worker that stopped running them.", requeued
                )
        except Exception:
            logger.exception("Could not requeue abandoned tasks; retrying in %s s.", self.interval)
        try:
            enqueue_sweep()
        except ImportError:
            logger.warning("The sweep task %s does not exist: no sweep enqueued.", SWEEP_TASK)
        except Exception:
            logger.exception("Could not enqueue the transfer sweep; retrying in %s s.", self.interval)
        finally:
            # This thread's own connection: closed between ticks rather than held for a minute.
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


class Command(DbWorkerCommand):
    help = (
        "Run a task worker (emails, sweeps) until SIGINT or SIGTERM, and enqueue the transfer sweep "
        "every --sweep-interval seconds."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=default_sweep_interval(),
            help="Seconds between two transfer sweeps, 0 for none (default: HANDOVER_SWEEP_INTERVAL or 60).",
        )
        # A reloaded worker may cut a running task short: never reload here.
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        # db_worker's own handle(), without autoreload, and with QuietWorker.
        stop_with_parent()
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = QuietWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        scheduler = None
        if options["sweep_interval"] > 0 and not options["batch"]:
            scheduler = SweepScheduler(options["sweep_interval"])
            scheduler.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            if scheduler is not None:
                scheduler.stop()
            if not worker.running:
                logger.info("Task worker %s stopped.", options["worker_id"])


class QuietWorker(Worker):
    """django-tasks-db's worker loop, stopped by SIGINT/SIGTERM without logging in the handler.

    Its own handler logs first: a signal landing while this thread writes a log line made that write
    fail ("reentrant call"), the exception went to the logging error handler, and the stop was lost
    (the worker ran on, an orphan once its server had died).
    """

    def shutdown(self, signum: int, frame: Any) -> None:
        if not self.running:  # a second signal: abandon the running task
            self.reset_signals()
            raise SystemExit(1)
        self.running = False
        if not self.running_task:  # idle (polling or sleeping): stop now
            raise SystemExit(0)
