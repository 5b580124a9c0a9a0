"""`handover serve`: migrate, collect the static files, then serve HTTP with a task worker beside it.

SIGINT (Ctrl-C) and SIGTERM stop both, and the command then exits with status 0. The server itself
lives in `handover.runtime.server`; this command parses, prepares the database and the demo, and
calls it.
"""

import logging
import os
import signal
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from handover.accounts.models import User
from handover.runtime.server import (
    AddressUnavailable,
    TaskWorker,
    check_address,
    serve_http,
    use_fresh_metrics_dir,
)
from handover.web.demo import demo_loaded, demo_sign_ins, load_demo

logger = logging.getLogger("handover.serve")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Apply migrations, collect static files, then serve HTTP with a task worker beside it."
    requires_system_checks: list[str] = []  # `migrate` runs them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default: 8000).")
        parser.add_argument(
            "--demo", action="store_true", help="Load the demo data set if the database has no user yet."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 2,
            help="HTTP worker processes (default: one per CPU core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="Threads per HTTP worker for the blocking Django views (default: 4).",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve HTTP only; run `handover worker` elsewhere."
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Skip migrations (a fleet applies them once, with `handover migrate`, before a rollout).",
        )

    def handle(
        self,
        *,
        host: str,
        port: int,
        demo: bool,
        workers: int,
        threads: int,
        no_worker: bool,
        no_migrate: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        try:
            check_address(host, port)
        except AddressUnavailable as exc:
            raise CommandError(str(exc)) from exc
        use_fresh_metrics_dir(settings.DATA_DIR, port)
        # Until granian installs its own handlers, SIGTERM stops this command as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        task_worker = None
        try:
            url = self._prepare(host=host, port=port, demo=demo, migrate=not no_migrate, verbosity=verbosity)
            if not no_worker:
                task_worker = TaskWorker()
                task_worker.start()

            def announce() -> None:
                logger.info("Handover is serving %s/ (Ctrl-C stops it).", url)

            serve_http(host=host, port=port, workers=workers, threads=threads, on_ready=announce)
        except KeyboardInterrupt:
            pass
        finally:
            if task_worker is not None:
                task_worker.stop()
        logger.info("Handover stopped.")

    def _prepare(self, *, host: str, port: int, demo: bool, migrate: bool, verbosity: int) -> str:
        if migrate:
            call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        call_command("collectstatic", interactive=False, verbosity=0)
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        url = f"http://{shown_host}:{port}"
        if "BASE_URL" not in os.environ:
            # Links in emails and the API name the address actually served; the worker inherits it.
            os.environ["BASE_URL"] = url
            settings.BASE_URL = url
            settings.CSRF_TRUSTED_ORIGINS = [url]
            if "ALLOWED_HOSTS" not in os.environ and shown_host not in settings.ALLOWED_HOSTS:
                settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, shown_host]
        if demo:
            if not User.objects.exists() and load_demo():
                self.stdout.write("Loaded the demo data set.")
            if demo_loaded():
                self.stdout.write(demo_sign_ins())
        # Forked HTTP workers must not share this process's database connections.
        connections.close_all()
        return url
