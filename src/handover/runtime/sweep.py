"""The periodic sweep: enqueued once per interval, however many task workers run.

Every worker ticks at the same wall-clock boundaries (every `interval` seconds since the epoch); at
each tick, the first worker to add the interval's key to the shared cache (a row in the database,
`INSERT` under a unique key) enqueues the sweep, the others find the key taken and do nothing.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from handover.runtime.queue import requeue_stuck_tasks

logger = logging.getLogger("handover.worker")

# A finished sweep is only a heartbeat: keep a day of them, so that 1,440 rows a day don't pile up.
SWEEP_RESULTS_KEPT = timedelta(days=1)


def claim_interval(name: str, interval: float) -> bool:
    """Whether this caller is the first, among all processes sharing the database, to claim the
    current `interval`-second period of the job `name` (the cache's `add` is an atomic insert)."""
    period = int(time.time() // interval)
    return cache.add(f"handover:schedule:{name}:{interval:g}:{period}", True, timeout=2 * interval)


def enqueue_sweep() -> bool:
    """Enqueue the sweep task (settings.HANDOVER_SWEEP_TASK) unless one is already waiting; returns
    whether one was enqueued.

    Also deletes the results of sweeps that finished more than a day ago. Raises ImportError while
    the sweep task does not exist.
    """
    task = import_string(settings.HANDOVER_SWEEP_TASK)
    DBTaskResult.objects.finished().filter(
        task_path=task.module_path, finished_at__lt=timezone.now() - SWEEP_RESULTS_KEPT
    ).delete()
    if DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
        return False
    task.enqueue()
    return True


class SweepScheduler(threading.Thread):
    """Ticks at once (even if stopped before it ran), then at every multiple of `interval` seconds of
    the wall clock, until `stop()`."""

    def __init__(self, interval: float):
        super().__init__(name="sweep-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            self.tick()
            if self.stopping.wait(self.interval - time.time() % self.interval):
                return

    def tick(self) -> None:
        """Requeue the tasks of dead workers, and enqueue the sweep if no other worker did in this
        interval; a failure is logged and retried at the next tick, never fatal."""
        try:
            if requeued := requeue_stuck_tasks(timeout=settings.HANDOVER_TASK_TIMEOUT):
                logger.warning(
                    "Requeued %s task(s) abandoned by a worker that stopped running them.", requeued
                )
        except Exception:
            logger.exception("Could not requeue abandoned tasks; retrying in %s s.", self.interval)
        try:
            if claim_interval("sweep", self.interval):
                enqueue_sweep()
        except ImportError:
            logger.warning(
                "The sweep task %s does not exist: no sweep enqueued.", settings.HANDOVER_SWEEP_TASK
            )
        except Exception:
            logger.exception("Could not enqueue the sweep; retrying in %s s.", self.interval)
        finally:
            # This thread's own connection: closed between ticks rather than held for a minute.
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
