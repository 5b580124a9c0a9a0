"""`handover worker`: a task worker (emails, the periodic sweep); run as many as you like."""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from handover.runtime.worker import run_worker


class Command(DbWorkerCommand):
    help = (
        "Run a task worker (emails, sweeps) until SIGINT or SIGTERM; the workers together enqueue the "
        "sweep once every --sweep-interval seconds."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=settings.HANDOVER_SWEEP_INTERVAL,
            help="Seconds between two sweeps, 0 for none (default: HANDOVER_SWEEP_INTERVAL or 60).",
        )
        # A reloaded worker may cut a running task short: never reload here.
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        queue_names = options["queue_name"].split(",")
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        run_worker(
            sweep_interval=options["sweep_interval"],
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
