"""Request metrics, added up across the HTTP worker processes of one server.

Under `handover serve`, PROMETHEUS_MULTIPROC_DIR names a folder where each worker process writes its
counters (prometheus-client's multiprocess mode), and a scrape adds up every worker's files, those of
workers that exited included: whichever worker answers /metrics, the figures are the server's.
Without it (tests, another WSGI server with one process), the counters live in this process.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "handover_http_requests",
    "HTTP requests answered, by route (the URL pattern's name), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "handover_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    LATENCY.labels(route=route, method=method).observe(seconds)


def exposition(*collectors: Collector) -> bytes:
    """The Prometheus text format of the request metrics (of every worker process) and `collectors`."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        text = generate_latest(processes)
    else:
        text = generate_latest(REGISTRY)
    scraped = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        scraped.register(collector)
    return text + generate_latest(scraped)
