"""A real webhook receiver: an HTTPS server on loopback with a certificate of its own authority
(trustme), recording every request; and the fixture that points Handover at it."""

import http.server
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_verification() -> Callable[..., bool]:
    """The function of docs/webhooks.md that verifies a signature, run as a receiver would copy it."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    source = next(block for block in blocks if "def verify_handover_signature" in block)
    namespace: dict = {}
    exec(compile(source, str(DOCS), "exec"), namespace)  # noqa: S102 (the documentation's own code)
    return namespace["verify_handover_signature"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Listens on https://localhost:<port>/ (127.0.0.1) until `close()`; answers each POST with the
    next of `statuses` (then 200), and records it in `requests`. `ca_file` is the authority to trust.
    `close()` may be called early: the port then refuses connections."""

    def __init__(self, directory: Path):
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        self.delay: threading.Event | None = None  # when set, each answer waits for this event
        self.arrived = threading.Event()  # set as soon as a request comes in, before any delay
        self.lock = threading.Lock()
        authority = trustme.CA()
        self.ca_file = str(directory / "webhook-ca.pem")
        authority.cert_pem.write_to_path(self.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.arrived.set()
                if receiver.delay is not None:
                    receiver.delay.wait(30)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.closed = False

    def url(self, path: str = "/hook") -> str:
        return f"https://localhost:{self.port}{path}"

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def webhook_receiver(tmp_path, settings):
    """A Receiver, with Handover allowed to reach loopback and trusting the receiver's authority."""
    receiver = Receiver(tmp_path)
    settings.HANDOVER_WEBHOOK_ALLOW_PRIVATE = True
    settings.HANDOVER_WEBHOOK_CA_FILE = receiver.ca_file
    yield receiver
    receiver.close()
