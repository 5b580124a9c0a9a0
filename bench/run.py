"""Benchmarks of the paths that must not grow with the number of rows, reported as ratios.

Run with `make bench` (SQLite under var/bench) or with DATABASE_URL pointing to PostgreSQL. Every
figure is measured in this one run, so the ratios compare like with like on the same machine.
"""

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handover.settings")
os.environ.setdefault("HANDOVER_DATA_DIR", tempfile.mkdtemp(prefix="handover-bench-"))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(os.environ['HANDOVER_DATA_DIR']) / 'bench.sqlite3'}"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from handover.accounts.services import create_user  # noqa: E402
from handover.organizations.services import create_organization  # noqa: E402
from handover.products.models import Product  # noqa: E402
from handover.transfers.services import receive_transfer, start_transfer  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def make_products(organization, count: int) -> list[Product]:
    return Product.objects.bulk_create(
        Product(
            organization=organization,
            type="web_hosting",
            name=f"site-{i}.example",
            service_ref=uuid.uuid4().hex,
        )
        for i in range(count)
    )


def timed_receive(count: int) -> tuple[float, int]:
    sender = create_user(email=f"s-{uuid.uuid4().hex[:8]}@bench.example", password="x" * 12)
    receiver = create_user(email=f"r-{uuid.uuid4().hex[:8]}@bench.example", password="x" * 12)
    source = create_organization(actor=sender, name="Bench source")
    destination = create_organization(actor=receiver, name="Bench destination")
    products = make_products(source, count)
    started = start_transfer(
        actor=sender,
        organization=source,
        product_ids=[p.id for p in products],
        accept_terms=True,
        acknowledge_warnings=True,
    )
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        receive_transfer(actor=receiver, token=started.token, destination=destination, accept_terms=True)
        elapsed = time.perf_counter() - began
    return elapsed, len(queries)


def timed_product_list(count: int) -> tuple[float, int]:
    owner = create_user(email=f"o-{uuid.uuid4().hex[:8]}@bench.example", password="x" * 12)
    organization = create_organization(actor=owner, name="Bench list")
    make_products(organization, count)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner)
    url = reverse("products:list", args=[organization.id])
    client.get(url)  # warm up
    samples = []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(REPEATS):
            began = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append(time.perf_counter() - began)
    return statistics.median(samples), len(queries) // REPEATS


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; repeats: {REPEATS}")
    receive = {n: min(timed_receive(n) for _ in range(REPEATS)) for n in (10, 100, 1000)}
    base_time, _ = receive[10]
    print("receive a transfer of N products")
    for n, (seconds, queries) in receive.items():
        ratio = seconds / base_time
        print(f"  N={n:>5}: {seconds * 1000:8.1f} ms, {queries} queries, {ratio:5.1f} times the time of N=10")
    lists = {n: timed_product_list(n) for n in (50, 5000)}
    small, _ = lists[50]
    print("products page (50 shown per page) with N products in the Organization")
    for n, (seconds, queries) in lists.items():
        ratio = seconds / small
        print(f"  N={n:>5}: {seconds * 1000:8.1f} ms, {queries} queries, {ratio:5.1f} times the time of N=50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
