"""The HTTP server of `handover serve` (granian, WSGI) and the task worker beside it.

HTTP is served by granian's WSGI server: worker processes, each with a few threads for the blocking
Django views; the task worker is a child process running `handover worker`. Every child stops when
the server dies, whatever killed it (see `handover.runtime.processes`).
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from granian.constants import Interfaces
from granian.server import Server

from handover.runtime.processes import PARENT_ENV, terminate_with_parent

logger = logging.getLogger("handover.serve")

# prometheus-client's multiprocess mode: each HTTP worker writes its counters to files in this folder,
# and /metrics adds them up across the workers.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class AddressUnavailable(Exception):
    pass


def check_address(host: str, port: int) -> None:
    """Raise AddressUnavailable, before anything starts, if nothing can listen on host:port."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise AddressUnavailable(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def use_fresh_metrics_dir(data_dir: Path, port: int) -> Path:
    """Point prometheus-client's multiprocess mode at an emptied folder of this server's own
    (`HANDOVER_DATA_DIR/metrics/<port>`, so that two servers on one machine keep apart), left by
    no earlier run.

    prometheus-client chooses its multiprocess mode when first imported, and granian forks its workers
    from this process: so this must run before anything imports it (the URL configuration does).
    Files of workers that exited stay and keep counting in the sums, as counters must; there is no
    live gauge whose files `mark_process_dead` would have to remove.
    """
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its multiprocess folder was set")
    path = data_dir / "metrics" / str(port)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ[METRICS_DIR_ENV] = str(path)
    return path


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
    return get_wsgi_application()


class TaskWorker:
    """The `handover worker` child process, restarted if it dies while the server runs."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.watcher = threading.Thread(target=self._watch, name="task-worker-watcher", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        env.pop(METRICS_DIR_ENV, None)  # the HTTP workers' counters, not the task worker's
        return subprocess.Popen(
            [sys.executable, "-m", "handover", "worker", "--no-startup-delay"],
            # Its own session: a terminal's Ctrl-C reaches only `serve`, which then stops the worker
            # with one SIGTERM (a second signal would cut a running task short).
            start_new_session=True,
            env=env,
        )

    def start(self) -> None:
        self.process = self._spawn()
        logger.info("Task worker started (pid %s).", self.process.pid)
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
            logger.warning(
                "The task worker exited with status %s; restarted it (pid %s).", code, self.process.pid
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


def serve_http(*, host: str, port: int, workers: int, threads: int, on_ready: Callable[[], None]) -> None:
    """Serve the WSGI application until SIGINT or SIGTERM; `on_ready` runs once it listens.

    granian's own log lines go through Handover's logging configuration (format and redaction).
    """
    server = Server(
        "handover.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=max(1, workers),
        blocking_threads=max(1, threads),
        # A worker still busy after this many seconds of shutdown is killed.
        workers_kill_timeout=30,
        log_dictconfig=settings.LOGGING,
    )
    server.on_startup(on_ready)
    server.serve(target_loader=load_application)
