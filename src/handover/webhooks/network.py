"""The one way a webhook leaves the server: a POST to an address checked at the moment of sending.

A URL is refused unless it is `https://` and every address its name resolves to is public (unless
settings.HANDOVER_WEBHOOK_ALLOW_PRIVATE, for tests and the demo, which also allows `http://`). The
name is resolved once and the connection made to that very address (TLS still verifies the
certificate against the name, which is also the Host header): a name that resolves to a public
address for the check and to 10.0.0.1 for the connection (DNS rebinding) cannot reach inside.
Redirects are never followed (http.client does not), so a receiver cannot point the POST elsewhere.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT = 10.0  # seconds for the whole attempt: connection, TLS, request and the answer's headers
MAX_URL_LENGTH = 2000


class AddressRefused(Exception):
    """The URL may not be called: its form, its scheme, or an address it resolves to."""


class DeliveryFailed(Exception):
    """The POST did not get an answer: connection refused or reset, TLS failure, timeout."""

    def __init__(self, message: str, *, timeout: bool = False):
        super().__init__(message)
        self.timeout = timeout


@dataclass(frozen=True)
class Target:
    """Where a URL points once resolved: the name for TLS and Host, the address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]  # each checked; tried in turn, as the resolver ordered them


def _allow_private() -> bool:
    return bool(settings.HANDOVER_WEBHOOK_ALLOW_PRIVATE)


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL that may be registered, or AddressRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(_("The URL is longer than %(limit)s characters.") % {"limit": MAX_URL_LENGTH})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("The URL is not valid.")) from exc
    schemes = ("https", "http") if _allow_private() else ("https",)
    if parts.scheme not in schemes:
        raise AddressRefused(_("The URL must start with https://."))
    if not parts.hostname:
        raise AddressRefused(_("The URL has no host name."))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(_("The URL may not hold a user name or a password."))
    if parts.fragment:
        raise AddressRefused(_("The URL may not have a fragment (#…)."))
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise AddressRefused(_("The URL may not hold spaces or control characters."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def is_public(address: str) -> bool:
    """Whether `address` is reachable on the public Internet (not loopback, private, link-local —
    the cloud metadata service at 169.254.169.254 —, shared, reserved or multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str) -> Target:
    """The URL checked and its name resolved once: AddressRefused unless every address it resolves to
    is public (or private ones are allowed), or when it resolves to nothing."""
    scheme, host, port, path = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(_("The host name %(host)s does not resolve.") % {"host": host}) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise AddressRefused(_("The host name %(host)s does not resolve.") % {"host": host})
    if not _allow_private():
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(
                    _("%(host)s resolves to %(address)s, which is not a public address.")
                    % {"host": host, "address": address}
                )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(dict.fromkeys(addresses)))


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float


def _connect(target: Target, timeout: float) -> socket.socket:
    """A TCP connection to the first of the target's checked addresses that accepts one."""
    error: OSError = OSError("no address")
    for address in target.addresses:
        try:
            return socket.create_connection((address, target.port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to the resolved addresses, verifying the certificate for the URL's name."""

    def __init__(self, target: Target, *, context: ssl.SSLContext, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._target = target
        self._ssl_context = context

    def connect(self) -> None:
        sock = _connect(self._target, self.timeout)  # type: ignore[arg-type]
        self.sock = self._ssl_context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """A plain HTTP connection to the resolved addresses (only with HANDOVER_WEBHOOK_ALLOW_PRIVATE)."""

    def __init__(self, target: Target, *, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        self.sock = _connect(self._target, self.timeout)  # type: ignore[arg-type]


def _tls_context() -> ssl.SSLContext:
    """The system's trusted authorities, or settings.HANDOVER_WEBHOOK_CA_FILE's."""
    return ssl.create_default_context(cafile=settings.HANDOVER_WEBHOOK_CA_FILE or None)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None) -> Answer:
    """POST `body` to `url`, resolved and checked now; the answer's status, headers read, body ignored.

    Raises AddressRefused, or DeliveryFailed when no answer came within `timeout` (TIMEOUT) seconds.
    """
    timeout = TIMEOUT if timeout is None else timeout
    target = resolve(url)
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, context=_tls_context(), timeout=timeout)
    else:
        connection = _PinnedHTTPConnection(target, timeout=timeout)
    started = time.monotonic()
    # The socket timeout bounds each read; this bounds the whole attempt (a receiver trickling its
    # answer a byte at a time would otherwise hold the worker far longer).
    deadline = threading.Timer(timeout, _abort, args=(connection,))
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # a little of the body, so that the receiver's write completes
        return Answer(status=response.status, seconds=time.monotonic() - started)
    except TimeoutError as exc:
        raise DeliveryFailed(f"No answer within {timeout:g} s.", timeout=True) from exc
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() - started >= timeout:
            raise DeliveryFailed(f"No answer within {timeout:g} s.", timeout=True) from exc
        raise DeliveryFailed(_describe(exc)) from exc
    finally:
        deadline.cancel()
        connection.close()


def _abort(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _describe(exc: BaseException) -> str:
    """A short reason without the server's internals: the exception's class and message."""
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]
