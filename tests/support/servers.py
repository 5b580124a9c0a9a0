"""Servers on this machine: a free port for one, and `handover serve` as a process of its own."""

import http.client
import queue
import socket
import subprocess
import threading
import time

import pytest

from tests.support.processes import embedded_env, start_handover

STARTUP_TIMEOUT = 120  # migrating a fresh SQLite database on a slow machine
# granian kills a worker still running 30 s after the stop: a clean stop is much quicker than that.
STOP_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    """A `handover serve` process whose output lines are read by a thread, so that waiting for a
    line has a timeout."""

    def __init__(self, data_dir, port: int, *args: str, **extra_env: str):
        env = embedded_env(data_dir)
        # Output to a pipe, block-buffered, as under a service manager: serve flushes what matters.
        for name in ("EMAIL_URL", "BASE_URL", "PYTHONUNBUFFERED"):
            env.pop(name, None)
        env.update(extra_env)
        self.process = start_handover(
            env,
            *("serve", "--host", "127.0.0.1", "--port", str(port), *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = STARTUP_TIMEOUT) -> str:
        """The first output line that contains `text`, printed already or within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for line in list(self.output):
                if text in line:
                    return line
            try:
                self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {text!r} within {timeout} s:\n{''.join(self.output)}")

    def stop(self) -> None:
        """Stop it as a service manager would: SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
):
    """One request to 127.0.0.1:port; returns (status, headers, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=STARTUP_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_until_answering(port: int, timeout: float = STARTUP_TIMEOUT) -> None:
    """Return once 127.0.0.1:port accepts connections (a worker may log its start a moment before)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def serve(tmp_path):
    """Start `handover serve ARGS` on a free port, on the embedded database of `data_dir` (this test's
    own by default), with `env` added; every server started is stopped at the end of the test."""
    started = []

    def start(*args: str, data_dir=None, **env: str) -> tuple[Serve, int]:
        port = free_port()
        server = Serve(data_dir or tmp_path, port, *args, **env)
        started.append(server)
        return server, port

    yield start
    for server in started:
        server.stop()
