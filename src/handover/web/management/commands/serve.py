"""`handover serve`: migrate, collect the static files, then serve HTTP with a task worker beside it.

HTTP is served by granian's WSGI server (worker processes, each with a few threads for the
blocking Django views); the task worker is a child process running `handover worker`. SIGINT
(Ctrl-C) and SIGTERM stop both, and the command then exits with status 0.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from granian.constants import Interfaces
from granian.server import Server

from handover.accounts.models import User
from handover.web.demo import demo_loaded, demo_sign_ins, load_demo
from handover.web.management.commands.worker import PARENT_ENV, terminate_with_parent
from handover.wsgi import application


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def check_address(host: str, port: int) -> None:
    """Raise CommandError, before anything starts, if nothing can listen on host:port."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def load_application(target: str) -> Any:
    """Load the WSGI application in a granian worker process, in a process group of its own.

    A terminal's Ctrl-C then reaches only the main process, which stops each worker with one SIGTERM:
    a worker that got both the terminal's SIGINT and its parent's SIGTERM was seen to hang until
    killed (granian 2.8, two workers or more). Out of the terminal's group, a worker must also stop
    if the main process dies without stopping it: with SIGKILL, as a SIGTERM could be that second
    signal (the main had begun the stop) and leave it hanging for ever.
    """
    os.setpgid(0, 0)
    terminate_with_parent(os.getppid(), signal.SIGKILL)
    return application


class TaskWorker:
    """The `handover worker` child process, restarted if it dies while the server runs."""

    def __init__(self, stdout: Any):
        self.stdout = stdout
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.watcher = threading.Thread(target=self._watch, name="task-worker-watcher", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "handover", "worker", "--no-startup-delay"],
            # Its own session: a terminal's Ctrl-C reaches only `serve`, which then stops the worker
            # with one SIGTERM (a second signal would cut a running task short).
            start_new_session=True,
            env={**os.environ, PARENT_ENV: str(os.getpid())},
        )

    def start(self) -> None:
        self.process = self._spawn()
        self.stdout.write(f"Task worker started (pid {self.process.pid}).")
        self.stdout.flush()
        self.watcher.start()

    def _watch(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            assert self.process is not None  # noqa: S101 (set by start() before this thread runs)
            started = time.monotonic()
            code = self.process.wait()
            # A worker that keeps failing at start (a broken setting) is retried less and less often.
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 60)
            if self.stopping.wait(delay):
                return
            self.process = self._spawn()
            self.stdout.write(
                f"The task worker exited with status {code}; restarted it (pid {self.process.pid})."
            )

    def stop(self) -> None:
        self.stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
        check_address(host, port)
        # Until granian installs its own handlers, SIGTERM stops this command as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        task_worker = None
        try:
            url = self._prepare(host=host, port=port, demo=demo, migrate=not no_migrate, verbosity=verbosity)
            if not no_worker:
                task_worker = TaskWorker(self.stdout)
                task_worker.start()
            self._serve(host=host, port=port, url=url, workers=workers, threads=threads)
        except KeyboardInterrupt:
            pass
        finally:
            if task_worker is not None:
                task_worker.stop()
        self.stdout.write("Handover stopped.")

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
            if not self._has_users() and load_demo():
                self.stdout.write("Loaded the demo data set.")
            if demo_loaded():
                self.stdout.write(demo_sign_ins())
        # Forked HTTP workers must not share this process's database connections.
        connections.close_all()
        return url

    @staticmethod
    def _has_users() -> bool:
        return User.objects.exists()

    def _serve(self, *, host: str, port: int, url: str, workers: int, threads: int) -> None:
        server = Server(
            "handover.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=max(1, workers),
            blocking_threads=max(1, threads),
            # A worker still busy after this many seconds of shutdown is killed.
            workers_kill_timeout=30,
        )

        def announce() -> None:
            self.stdout.write(f"Handover is serving {url}/ (Ctrl-C stops it).")
            # Under a service manager stdout is a pipe, block-buffered: say it now, not at exit.
            self.stdout.flush()

        server.on_startup(announce)
        server.serve(target_loader=load_application)
