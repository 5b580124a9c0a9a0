"""`handover serve` end to end, as `make run` starts it: a real process, a real port, real signals."""

import http.client
import os
import re
import signal
import socket
import threading
import time

import pytest

from handover.web.demo import LUCA
from tests.support.processes import embedded_env, run_handover
from tests.support.servers import STARTUP_TIMEOUT, STOP_TIMEOUT

pytestmark = pytest.mark.slow


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=STARTUP_TIMEOUT)
    connection.request("GET", path)
    return connection.getresponse()


@pytest.mark.parametrize(
    ("how", "deliver"),
    [
        (
            "Ctrl-C in a terminal: SIGINT to the whole process group",
            lambda pid: os.killpg(pid, signal.SIGINT),
        ),
        ("a service manager: SIGTERM to the main process", lambda pid: os.kill(pid, signal.SIGTERM)),
    ],
    ids=["sigint-group", "sigterm"],
)
def test_serve_loads_the_demo_answers_http_with_its_worker_then_stops_cleanly(serve, how, deliver):
    server, port = serve("--workers", "2", "--threads", "2", "--demo")
    server.wait_for(f"{LUCA} ")  # the demo was loaded, and its sign-ins printed
    worker_pid = int(re.search(r"pid (\d+)", server.wait_for("Task worker started")).group(1))
    server.wait_for("Handover is serving")
    server.wait_for("Starting worker")  # the task worker's own first line: it runs
    server.wait_for("Started worker-1")  # both HTTP workers
    server.wait_for("Started worker-2")

    response = get(port, "/")
    assert response.status in (200, 302)
    assert get(port, "/static/web/handover.css").status == 200  # collected and served

    deliver(server.process.pid)
    assert server.process.wait(timeout=STOP_TIMEOUT) == 0, "".join(server.output)
    output = "".join(server.output)
    assert "Handover stopped." in output
    assert "Traceback" not in output
    assert "refused to gracefully stop" not in output  # no HTTP worker had to be killed
    with pytest.raises(ProcessLookupError):  # no HTTP worker is left
        os.killpg(server.process.pid, 0)
    with pytest.raises(ProcessLookupError):  # nor the task worker (in a session of its own)
        os.kill(worker_pid, 0)


def test_serve_says_so_when_its_port_is_taken(tmp_path):
    """A clear one-line error, before migrations and before any worker starts."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_handover(
            embedded_env(tmp_path), "serve", "--host", "127.0.0.1", "--port", str(port), check=False
        )
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "handover.sqlite3").exists()  # nothing was migrated


@pytest.mark.parametrize("stopping_first", [False, True], ids=["killed", "killed-while-stopping"])
def test_no_process_outlives_a_killed_server(serve, stopping_first):
    """SIGKILL gives `serve` no chance to stop its children: Linux tells them, and they stop, also
    when the kill lands while the server was stopping them (a second signal to each)."""
    server, _port = serve("--workers", "2", "--threads", "2")
    worker_pid = int(re.search(r"pid (\d+)", server.wait_for("Task worker started")).group(1))
    http_pids = [
        int(re.search(r"PID: (\d+)", server.wait_for(f"Spawning worker-{n}")).group(1)) for n in (1, 2)
    ]
    server.wait_for("Started worker-1")
    server.wait_for("Started worker-2")
    server.wait_for("Starting worker")

    if stopping_first:
        server.process.terminate()
        server.wait_for("Shutting down granian")
    server.process.kill()
    server.process.wait()
    for pid in (worker_pid, *http_pids):
        assert wait_until_gone(pid), f"process {pid} outlived its server:\n{''.join(server.output)}"


def wait_until_gone(pid: int, timeout: float = STOP_TIMEOUT) -> bool:
    """Whether process `pid` is gone within `timeout` s (polled: it is not ours to wait for)."""
    deadline = time.monotonic() + timeout
    gone = threading.Event()
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        gone.wait(0.1)
    return False
