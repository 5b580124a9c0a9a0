"""The task worker: django-tasks-db's worker loop, with the sweep scheduler beside it.

Any number of workers may run on one database: each claims tasks with `SELECT … FOR UPDATE SKIP
LOCKED`, and the sweep is enqueued once per interval by one of them (see `handover.runtime.sweep`).
"""

import logging
from typing import Any

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from handover.runtime.logs import log_context
from handover.runtime.processes import stop_with_parent
from handover.runtime.sweep import SweepScheduler

logger = logging.getLogger("handover.worker")


class QuietWorker(Worker):
    """django-tasks-db's worker loop, stopped by SIGINT/SIGTERM without logging in the handler, and
    whose log records name the task they were written for.

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

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with log_context(task_id=str(db_task_result.id), task_name=db_task_result.task_path):
            super().run_task(db_task_result)


def run_worker(*, sweep_interval: float, **worker_options: Any) -> None:
    """Run the worker loop until SIGINT or SIGTERM (or, with batch=True, until the queue is empty),
    enqueuing the sweep every `sweep_interval` seconds (0: never) unless in batch mode.

    Under `handover serve`, the worker also stops when the server dies.
    """
    stop_with_parent()
    worker = QuietWorker(**worker_options)
    scheduler = None
    if sweep_interval > 0 and not worker.batch:
        scheduler = SweepScheduler(sweep_interval)
        scheduler.start()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        if scheduler is not None:
            scheduler.stop()
        if not worker.running:
            logger.info("Task worker %s stopped.", worker.worker_id)
