"""Benchmarks of the paths that must not grow with the number of rows, reported as ratios.

`make bench` measures the embedded SQLite database (a fresh file under var/bench); with DATABASE_URL
pointing to a scratch PostgreSQL database it measures that one (the bench adds its rows there).

Over HTTP: a real `handover serve` (one worker process, no task worker) on that database, timed
from a client in this process: starting and receiving transfers of 10, 1,000 and 10,000 products
(up to HANDOVER_MAX_PRODUCTS_PER_TRANSFER), the throughput of API lists against `GET /api/v1/me`
on the same server, the Transfer products page of an Organization of 50 products and of one of
10,000 (time and bytes), and the server side of the browser flow for 5,000 products (open the page,
select all matching, Transfer, validate), as a signed-in browser posts it. In this process, through
Django's test client on the same database: the SQL statements of each start and receive, and the
products page. Every figure is measured in
this one run, so the ratios compare like with like on the same machine.
"""

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handover.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # no access log line per request in the report
os.environ.setdefault("HANDOVER_DATA_DIR", str(ROOT / "var" / "bench"))
Path(os.environ["HANDOVER_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
RUN_DIR = Path(tempfile.mkdtemp(prefix="run-", dir=os.environ["HANDOVER_DATA_DIR"]))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{RUN_DIR / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from handover.accounts.models import User  # noqa: E402
from handover.accounts.services import create_api_token  # noqa: E402
from handover.organizations.models import Membership, Organization, Role  # noqa: E402
from handover.products.models import AccessLevel, Product, ProductAccess  # noqa: E402
from handover.terms.models import GeneralConditions  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
SIZES = [n for n in (10, 1000, 10_000) if n <= settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER]
LIST_SECONDS = float(os.environ.get("BENCH_LIST_SECONDS", "2"))
PAGE_SIZES = [50, min(10_000, settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER)]  # the Transfer products page
FLOW_SIZE = min(5000, settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER)  # the browser flow's products
PASSWORD = "bench-" + uuid.uuid4().hex
STARTUP_TIMEOUT = 120
SERVE_OPTIONS = ("--workers", "1", "--threads", "1", "--no-worker", "--no-migrate")


# Rows -------------------------------------------------------------------------------------------


def _person(label: str) -> User:
    user = User.objects.create_user(email=f"{label}-{uuid.uuid4().hex[:8]}@bench.example", password=None)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _organization(name: str, owner: User) -> Organization:
    organization = Organization.objects.create(name=f"{name} {uuid.uuid4().hex[:6]}")
    Membership.objects.create(organization=organization, user=owner, role=Role.LEGAL_REPRESENTATIVE)
    return organization


def _batch(organization: Organization, count: int, user: User) -> list[str]:
    """`count` new hostings, one in ten managed by `user` (who loses access when they move)."""
    tag = uuid.uuid4().hex[:6]
    products = Product.objects.bulk_create(
        (
            Product(
                organization=organization,
                type="web_hosting",
                name=f"site-{tag}-{i}.example",
                service_ref=uuid.uuid4().hex,
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    ProductAccess.objects.bulk_create(
        (ProductAccess(product=p, user=user, level=AccessLevel.MANAGE) for p in products[::10]),
        batch_size=2000,
    )
    return [str(p.id) for p in products]


class World:
    """A source Organization with a batch of fresh products per measured transfer, a destination,
    and their owners' API tokens."""

    def __init__(self, batches: dict[int, int]):
        GeneralConditions.objects.get_or_create(
            version="bench", defaults={"title": "General conditions", "body": "The bench's conditions."}
        )
        sender, self.receiver = _person("sender"), _person("receiver")
        self.source = _organization("Bench source", sender)
        self.destination = _organization("Bench destination", self.receiver)
        staff = _person("staff")
        Membership.objects.create(organization=self.source, user=staff, role=Role.COLLABORATOR)
        self.sender_token = create_api_token(user=sender, name="bench")[1]
        self.receiver_token = create_api_token(user=self.receiver, name="bench")[1]
        self.batches = {n: [_batch(self.source, n, staff) for _ in range(k)] for n, k in batches.items()}
        self.warm_up = [_batch(self.source, 10, staff) for _ in range(2)]
        self.largest = ""  # the id of a transfer of the largest size, once started
        # A reseller who signs in to the pages: an Organization per page size, one for the flow.
        self.reseller = _person("reseller")
        self.reseller.set_password(PASSWORD)
        self.reseller.save(update_fields=["password"])
        self.shops = {}
        for n in [*PAGE_SIZES, FLOW_SIZE]:
            self.shops[n] = _organization(f"Reseller {n}", self.reseller)
            _batch(self.shops[n], n, staff)

    def start_body(self, ids: list[str]) -> dict[str, object]:
        return {"product_ids": ids, "accept_terms": True, "acknowledge_warnings": True}

    def receive_body(self, token: str) -> dict[str, object]:
        return {"token": token, "destination_organization_id": str(self.destination.id), "accept_terms": True}


# A real server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`handover serve` on this run's database: one HTTP worker process, no task worker."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("BASE_URL", None)
        self.log = (RUN_DIR / "serve.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            [sys.executable, "-m", "handover", "serve", "--port", str(self.port), *SERVE_OPTIONS],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except ConnectionRefusedError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise SystemExit(f"handover serve did not start; see {self.log.name}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Api:
    """One keep-alive HTTP connection authenticated by a personal API token."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None, expect: int = 200) -> tuple[float, dict]:
        """The seconds from sending the request to reading the whole answer, and the answer."""
        data = json.dumps(body).encode() if body is not None else None
        began = time.perf_counter()
        self.connection.request(method, f"/api/v1{path}", body=data, headers=self.headers)
        response = self.connection.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - began
        if response.status != expect:
            raise SystemExit(f"{method} {path} answered {response.status}: {raw[:500]!r}")
        return elapsed, json.loads(raw or b"{}")


class Browser:
    """A signed-in browser's requests on one keep-alive connection: its cookies, and the CSRF token
    of the last form it was shown. Redirects are followed as separate, timed requests."""

    def __init__(self, port: int, cookies: dict[str, str]):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies = dict(cookies)
        self.csrf = ""

    def request(
        self, method: str, path: str, form: dict | None = None, expect: int = 200
    ) -> tuple[float, bytes, str]:
        """The seconds to the whole answer, its body, and where it redirects (or "")."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - began
        if response.status != expect:
            raise SystemExit(f"{method} {path} answered {response.status}: {raw[:500]!r}")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name.strip()] = value
        if token := re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', raw):
            self.csrf = token.group(1).decode()
        return elapsed, raw, response.headers.get("Location", "")


def signed_in_cookies(world: World) -> dict[str, str]:
    """The cookies of a session where the reseller just signed in with their password (so that
    starting a transfer asks for no password again), made in this process, in the shared database."""
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post(reverse("account_login"), {"login": world.reseller.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return {name: morsel.value for name, morsel in client.cookies.items()}


# Measures ---------------------------------------------------------------------------------------


def transfers_over_http(world: World, port: int) -> dict[int, tuple[float, float]]:
    """Median seconds of start and of receive per size, batches alternating between sizes."""
    sender, receiver = Api(port, world.sender_token), Api(port, world.receiver_token)
    source = world.source.id
    # Warm-up: the worker's first requests import and connect.
    for ids in world.warm_up:
        _, started = sender.call("POST", f"/organizations/{source}/transfers", world.start_body(ids), 201)
        receiver.call("POST", "/transfer-links/receive", world.receive_body(started["token"]))
    samples: dict[int, tuple[list[float], list[float]]] = {n: ([], []) for n in SIZES}
    for repeat in range(REPEATS):
        for n in SIZES:
            ids = world.batches[n][repeat]
            start_s, started = sender.call(
                "POST", f"/organizations/{source}/transfers", world.start_body(ids), 201
            )
            body = world.receive_body(started["token"])
            receive_s, _ = receiver.call("POST", "/transfer-links/receive", body)
            world.largest = started["id"]
            samples[n][0].append(start_s)
            samples[n][1].append(receive_s)
    return {n: (statistics.median(s), statistics.median(r)) for n, (s, r) in samples.items()}


def statements_in_process(world: World) -> dict[int, tuple[int, int]]:
    """The SQL statements of one start and one receive per size, through the whole Django stack."""
    counts = {}
    for n in SIZES:
        ids = world.batches[n][REPEATS]
        sender = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {world.sender_token}")
        receiver = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {world.receiver_token}")
        with CaptureQueriesContext(connection) as start:
            started = sender.post(
                f"/api/v1/organizations/{world.source.id}/transfers",
                world.start_body(ids),
                content_type="application/json",
            )
        assert started.status_code == 201, started.content[:500]
        with CaptureQueriesContext(connection) as receive:
            received = receiver.post(
                "/api/v1/transfer-links/receive",
                world.receive_body(started.json()["token"]),
                content_type="application/json",
            )
        assert received.status_code == 200, received.content[:500]
        counts[n] = (len(start), len(receive))
    return counts


def throughput(api: Api, path: str) -> float:
    """Sequential requests per second on one keep-alive connection, over LIST_SECONDS."""
    api.call("GET", path)
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < LIST_SECONDS:
        api.call("GET", path)
        done += 1
    return done / (time.perf_counter() - began)


def lists_over_http(world: World, port: int) -> list[tuple[str, float]]:
    api = Api(port, world.receiver_token)
    destination = world.destination.id
    _, largest = api.call("GET", f"/transfers/{world.largest}")
    paths = [
        ("GET /api/v1/me", "/me"),
        ("products, 50 of the destination's", f"/organizations/{destination}/products?limit=50"),
        ("transfers, 50 of the destination's", f"/organizations/{destination}/transfers?limit=50"),
        (f"one transfer of {SIZES[-1]} products", f"/transfers/{largest['id']}"),
    ]
    if "product_count" in largest:
        paths.append(("its products, 50 of them", f"/transfers/{largest['id']}/products?limit=50"))
    return [(label, throughput(api, path)) for label, path in paths]


def products_page(world: World) -> tuple[float, int]:
    """The products page of the destination (50 shown per page), in process."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(world.receiver)
    url = reverse("products:list", args=[world.destination.id])
    client.get(url)  # warm up
    samples = []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(REPEATS):
            began = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append(time.perf_counter() - began)
    return statistics.median(samples), len(queries) // REPEATS


def pages_over_http(world: World, port: int, cookies: dict[str, str]) -> dict[int, tuple[float, int, float]]:
    """Per Organization size: median seconds and bytes of the Transfer products page, and median
    seconds of the Products page."""
    browser = Browser(port, cookies)
    measured = {}
    for n in PAGE_SIZES:
        start = reverse("transfers:start", args=[world.shops[n].id])
        products = reverse("products:list", args=[world.shops[n].id])
        browser.request("GET", start)  # warm up; the first page of an Organization records it as used
        pages = [browser.request("GET", start) for _ in range(REPEATS)]
        lists = [browser.request("GET", products)[0] for _ in range(REPEATS)]
        measured[n] = (
            statistics.median(t for t, _, _ in pages),
            len(pages[-1][1]),
            statistics.median(lists),
        )
    return measured


def browser_flow(world: World, port: int, cookies: dict[str, str]) -> list[tuple[str, float, int]]:
    """The requests of the browser flow for FLOW_SIZE products, as Chromium makes them without
    JavaScript (with htmx the same posts, answered by the same views): seconds and bytes of each."""
    browser = Browser(port, cookies)
    start = reverse("transfers:start", args=[world.shops[FLOW_SIZE].id])
    steps = []

    def step(
        label: str, method: str, path: str, form: dict | None = None, expect: int = 200
    ) -> tuple[bytes, str]:
        seconds, body, location = browser.request(method, path, form, expect)
        steps.append((label, seconds, len(body)))
        return body, location

    step("open the Transfer products page", "GET", start)
    _, location = step("select all matching (POST)", "POST", start, {"action": "select_all"}, 302)
    step("… the page again, all selected", "GET", location)
    warnings, _ = step("Transfer: the warnings", "POST", start, {"action": "preview", "accept_terms": "on"})
    count = re.search(rb'name="count" value="(\d+)"', warnings)
    if count is None or int(count.group(1)) != FLOW_SIZE:
        raise SystemExit(f"The warnings page does not count {FLOW_SIZE} products: {warnings[:500]!r}")
    form = {
        "action": "start",
        "accept_terms": "on",
        "acknowledge_warnings": "on",
        "count": count.group(1).decode(),
    }
    _, location = step("validate and start (POST)", "POST", start, form, 302)
    step("… the transfer's page", "GET", location)
    return steps


# The report -------------------------------------------------------------------------------------


def _table(title: str, header: str, rows: list[str]) -> None:
    print(title)
    print("  " + header)
    for row in rows:
        print("  " + row)


def main() -> int:
    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor}; repeats: {REPEATS} (medians); "
        f"HANDOVER_MAX_PRODUCTS_PER_TRANSFER: {settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER}"
    )
    # Per size: REPEATS timed batches and one for the statement counts.
    world = World({n: REPEATS + 1 for n in SIZES})
    connection.close()  # the server's worker must not wait behind this process's connection

    cookies = signed_in_cookies(world)
    connection.close()
    server = Server()
    try:
        timed = transfers_over_http(world, server.port)
        lists = lists_over_http(world, server.port)
        pages = pages_over_http(world, server.port, cookies)
        flow = browser_flow(world, server.port, cookies)
    finally:
        server.stop()
    counted = statements_in_process(world)
    page = products_page(world)

    base_start, base_receive = timed[SIZES[0]]
    _table(
        "transfers over HTTP (handover serve, 1 worker process, 1 thread; client timing)",
        f"{'N':>6} {'start ms':>9} {'x N=10':>7} {'receive ms':>11} {'x N=10':>7} "
        f"{'start SQL':>10} {'receive SQL':>12}",
        [
            f"{n:>6} {s * 1000:9.1f} {s / base_start:7.2f} {r * 1000:11.1f} {r / base_receive:7.2f} "
            f"{counted[n][0]:>10} {counted[n][1]:>12}"
            for n, (s, r) in timed.items()
        ],
    )
    me = lists[0][1]
    _table(
        f"API throughput on the same server (sequential, keep-alive, {LIST_SECONDS:g} s each)",
        f"{'request':<36} {'req/s':>8} {'x /me':>7}",
        [f"{label:<36} {rps:8.1f} {rps / me:7.2f}" for label, rps in lists],
    )
    small = pages[PAGE_SIZES[0]]
    _table(
        "pages over HTTP, the same server (signed-in browser session; client timing)",
        f"{'products':>9} {'Transfer products ms':>21} {'x 50':>6} {'KB':>6} {'Products ms':>12} {'x 50':>6}",
        [
            f"{n:>9} {t * 1000:21.1f} {t / small[0]:6.2f} {size / 1024:6.1f} {p * 1000:12.1f} "
            f"{p / small[2]:6.2f}"
            for n, (t, size, p) in pages.items()
        ],
    )
    _table(
        f"the browser flow for {FLOW_SIZE} products over HTTP (each request's time to its whole answer)",
        f"{'step':<36} {'ms':>8} {'KB':>7}",
        [f"{label:<36} {t * 1000:8.1f} {size / 1024:7.1f}" for label, t, size in flow]
        + [f"{'total (target 2,000 ms)':<36} {sum(t for _, t, _ in flow) * 1000:8.1f}"],
    )
    products = Product.objects.filter(organization=world.destination).count()
    seconds, queries = page
    print(
        f"products page of the destination ({products} products, 50 shown), in process: "
        f"{seconds * 1000:.1f} ms, {queries} queries"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
