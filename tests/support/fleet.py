"""A fleet on this machine (SPEC §6.3 "A fleet"): `handover serve --no-worker` app servers and `handover
worker` processes, each a process of its own with a data folder of its own, on one PostgreSQL database
made for the test and migrated once by `handover migrate`, as an operator does before a rollout. They
share what a fleet shares: the database, SECRET_KEY, BASE_URL, the SMTP server, the webhook receivers.

Clients reach the app servers through `Balancer`, which does what a load balancer and a retrying client
do together: a request that gets no answer (the server died) takes that server out and is sent again to
another one. `SmtpServer` is a real SMTP server in this process that keeps every message.
"""

import asyncio
import contextlib
import email
import email.policy
import hashlib
import hmac
import http.client
import http.cookies
import json
import logging
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from tests.support.processes import embedded_env, last_line, run_handover, start_handover
from tests.support.servers import STARTUP_TIMEOUT, Serve, free_port, request
from tests.support.webhooks import Receiver

PUBLIC_HOST = "manager.example.test"  # the fleet's public name, behind the load balancer
METRICS_TOKEN = "fleet-metrics-token"
REQUEST_TIMEOUT = 60


class SmtpServer:
    """aiosmtpd's handler: keeps each message (its recipients and its text part), and wakes waiters.
    On demand it holds one message in the middle of its sending, to kill the sender then."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str, str]] = []  # (to, subject, text)
        self.arrived = threading.Condition()
        self.hold_next = threading.Event()
        self.holding = threading.Event()
        self.held_from: tuple[str, int] | None = None
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        # Handlers run one at a time on the controller's event loop: one message only is held.
        if self.hold_next.is_set() and not self.holding.is_set():
            self.held_from = session.peer
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, REQUEST_TIMEOUT)
            return "451 The sender went away"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), str(message["Subject"]), text))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, predicate, timeout: float, count: int = 1) -> list[tuple[list[str], str, str]]:
        """The messages that satisfy `predicate`, once there are `count` (fails the test after `timeout`)."""
        if not self.wait_until(lambda: len(self._matching(predicate)) >= count, timeout):
            pytest.fail(f"fewer than {count} such emails within {timeout} s")
        with self.arrived:
            return self._matching(predicate)

    def wait_until(self, condition, timeout: float) -> bool:
        """Whether `condition()` came true within `timeout` seconds (checked at each message)."""
        with self.arrived:
            return self.arrived.wait_for(condition, timeout)

    def hold_one(self) -> tuple[str, int]:
        """Hold the next message once its data is sent and before it is accepted, until `let_go()`;
        returns the address the sender's connection comes from."""
        self.hold_next.set()
        assert self.holding.wait(REQUEST_TIMEOUT), "no email was sent"
        assert self.held_from is not None
        return self.held_from

    def let_go(self) -> None:
        self.release.set()

    def _matching(self, predicate) -> list[tuple[list[str], str, str]]:
        return [message for message in self.messages if predicate(message)]


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port of this machine: (its handler, its port)."""
    handler = SmtpServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    log = logging.getLogger("mail.log")  # aiosmtpd's: a dozen lines per message otherwise
    level = log.level
    log.setLevel(logging.WARNING)
    controller.start()
    yield handler, port
    handler.let_go()
    controller.stop()
    log.setLevel(level)


def connection_owner(local: tuple[str, int], processes: list[subprocess.Popen]) -> subprocess.Popen:
    """Which of `processes` holds the TCP socket bound to the address `local` (Linux's /proc)."""
    inodes = {
        fields[9]
        for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
        if int(fields[1].rpartition(":")[2], 16) == local[1]
    }
    for process in processes:
        for fd in Path(f"/proc/{process.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in {f"socket:[{inode}]" for inode in inodes}:
                    return process
    pytest.fail(f"none of the processes holds the connection from {local}")


@pytest.fixture
def fleet_database():
    """The URL of an empty PostgreSQL database of this test, beside the test database (same server and
    credentials), dropped afterwards."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_fleet"
    server = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Worker:
    """A `handover worker` process; its output goes to a file of its data folder."""

    def __init__(self, env: dict[str, str], log: Path, *args: str):
        self.log = log
        with log.open("w") as out:
            self.process = start_handover(
                env, "worker", "--no-startup-delay", *args, stdout=out, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text()


class Fleet:
    """App servers and task workers on one database: each started with the fleet's environment and a
    data folder of its own (its static files, its metrics folder); all stopped by `stop()`."""

    def __init__(self, root: Path, **env: str):
        self.root = root
        self.env = {
            "SECRET_KEY": "fleet-secret-key-shared-by-every-process-of-the-fleet",
            "BASE_URL": f"http://{PUBLIC_HOST}",
            "ALLOWED_HOSTS": f"127.0.0.1,{PUBLIC_HOST}",
            "HANDOVER_METRICS_TOKEN": METRICS_TOKEN,
            "LOG_FORMAT": "json",
            **env,
        }
        self.servers: list[tuple[Serve, int]] = []
        self.workers: list[Worker] = []

    def _folder(self, name: str) -> Path:
        folder = self.root / name
        folder.mkdir(exist_ok=True)
        return folder

    def handover(self, *args: str) -> subprocess.CompletedProcess:
        """`handover ARGS` on the fleet's database, run to its end."""
        return run_handover(embedded_env(self._folder("admin"), **self.env), *args)

    def shell(self, code: str) -> Any:
        """The JSON value that `code`, run by `handover shell` on the fleet's database, printed last."""
        return json.loads(last_line(self.handover("shell", "--no-imports", "-c", code)))

    def start_server(self, *args: str) -> int:
        port = free_port()
        name = f"server-{len(self.servers) + 1}"
        self.servers.append(
            (Serve(self._folder(name), port, "--no-migrate", "--no-worker", *args, **self.env), port)
        )
        return port

    def start_worker(self, *args: str, **env: str) -> Worker:
        folder = self._folder(f"worker-{len(self.workers) + 1}")
        worker = Worker(embedded_env(folder, **self.env, **env), folder / "output.log", *args)
        self.workers.append(worker)
        return worker

    def wait_until_ready(self) -> None:
        """Every server answers /readyz with 200 (the database migrated, the queue reachable)."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for server, port in self.servers:
            server.wait_for("Handover is serving")
            while True:
                try:
                    if request(port, "GET", "/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"port {port} not ready:\n{''.join(server.output)}"
                time.sleep(0.2)

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL, as a lost machine: no handler runs (an app server's HTTP workers die with it)."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=REQUEST_TIMEOUT)

    def stop(self) -> None:
        for server, _port in self.servers:
            server.stop()
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.terminate()
                try:
                    worker.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.process.kill()
                    worker.process.wait()


@pytest.fixture
def fleet_webhooks(tmp_path):
    """An HTTPS webhook receiver on loopback (tests/support/webhooks.py), for the fleet's workers."""
    receiver = Receiver(tmp_path)
    yield receiver
    receiver.close()


@pytest.fixture
def fleet(tmp_path, fleet_database, smtp_server, fleet_webhooks):
    """A Fleet on a migrated database of its own, sending its emails to `smtp_server` and allowed to
    deliver webhooks to `fleet_webhooks` (a loopback address, its own certificate authority)."""
    _handler, smtp_port = smtp_server
    started = Fleet(
        tmp_path,
        DATABASE_URL=fleet_database,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        HANDOVER_WEBHOOK_ALLOW_PRIVATE="1",
        HANDOVER_WEBHOOK_CA_FILE=fleet_webhooks.ca_file,
    )
    started.handover("migrate", "--verbosity", "0")
    yield started
    started.stop()


def signed_with(secret: str, signature: str, body: bytes) -> bool:
    """Whether a `Handover-Signature: t=…,v1=…` header signs `body` with `secret` (docs/webhooks.md)."""
    fields = [part.partition("=") for part in signature.split(",")]
    timestamp = next(value for key, _, value in fields if key == "t")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, _, value in fields if key == "v1")


@dataclass
class Answer:
    status: int
    body: Any  # parsed JSON, else text
    headers: http.client.HTTPMessage
    port: int
    retried: bool  # it was sent again after a server gave no answer


@dataclass
class Traffic:
    """What the clients sent and got, across threads."""

    requests: int = 0  # sent, answered or not
    answered: Counter = field(default_factory=Counter)  # by port
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, port: int | None) -> None:
        with self.lock:
            self.requests += 1
            if port is None:
                self.retried += 1
            else:
                self.answered[port] += 1


class Balancer:
    """Sends each request to a server that is up, the caller's preferred one if it is; a server that
    gives no answer (refused, reset, cut off) is taken out, as a load balancer's health check would, and
    the request is sent again to another one. Fails the test if none is left."""

    def __init__(self, ports: list[int], traffic: Traffic):
        self.ports = ports
        self.down: set[int] = set()
        self.traffic = traffic

    def up(self, prefer: int) -> list[int]:
        first = prefer % len(self.ports)
        return [port for port in self.ports[first:] + self.ports[:first] if port not in self.down]

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: dict[str, str] | None = None,
        token: str = "",
        cookies: dict[str, str] | None = None,
        prefer: int = 0,
    ) -> Answer:
        """`body` is sent as JSON, `form` as a form; `token` authenticates as an API client."""
        headers = {"Host": PUBLIC_HOST}
        data = None
        if body is not None:
            headers["Content-Type"], data = "application/json", json.dumps(body).encode()
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode(form).encode()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        retried = False
        while ports := self.up(prefer):
            port = ports[0]
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
                try:
                    connection.request(method, path, body=data, headers=headers)
                    response = connection.getresponse()
                    raw = response.read()
                finally:
                    connection.close()
            except (OSError, http.client.HTTPException):
                self.traffic.count(None)
                self.down.add(port)
                retried = True
                continue
            self.traffic.count(port)
            is_json = response.headers.get("Content-Type", "").startswith("application/json")
            content = json.loads(raw) if is_json else raw.decode(errors="replace")
            return Answer(response.status, content, response.headers, port, retried)
        pytest.fail(f"no server left to answer {method} {path}")


def cookies_set(answer: Answer) -> dict[str, str]:
    """The cookies an answer sets, by name."""
    jar = http.cookies.SimpleCookie()
    for header in answer.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


LINK = re.compile(r"/transfers/receive/([A-Za-z0-9_\-]+)")
REFERENCE = re.compile(r"Transfer reference: ([0-9a-f-]{36})")


def link_in(text: str) -> str | None:
    """The link secret an email holds, if any."""
    found = LINK.search(text)
    return found[1] if found else None


def reference_in(text: str) -> str | None:
    """The transfer a completion email names, if any."""
    found = REFERENCE.search(text)
    return found[1] if found else None


def scrape(port: int) -> str:
    status, _headers, body = request(port, "GET", "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200
    return body.decode()
