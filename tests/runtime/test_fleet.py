"""SPEC §6.3 "A fleet", proven on PostgreSQL: two `handover serve --no-worker` app servers and two
`handover worker` processes on one database behave as one, and losing one of each (SIGKILL) in the
middle of the traffic loses nothing that was answered.

Each Organization registers a webhook endpoint (an HTTPS receiver on loopback). Four client threads
(two per app server) each move products from a sender's Organization to a recipient's, round after
round, through the API: the sender starts a transfer on one server and emails its link; the recipient
reads the email at the SMTP server and receives the products through the other server. A browser signs
in through both servers and keeps hopping between them. One app server, then the worker that is sending
an email at that moment, are killed while this runs; a request that got no answer is sent again to the
other server.

Then: every answered start exists, every answered receive moved all its products to the destination
asked for, no transfer is half-done (tests/support/invariants), every webhook event reached its endpoint
signed with its secret, every link and completion email reached the SMTP server (at least once: the
killed worker's email task ran again on the other worker, so a duplicate may come from it and from
nothing else), the sweep was enqueued at most once per interval and in each one. Before the kills, the
request counts of the two servers' /metrics add up to the requests the clients got answered.
"""

import json
import re
import threading
import time
from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.fleet import (
    Balancer,
    Traffic,
    connection_owner,
    cookies_set,
    link_in,
    reference_in,
    scrape,
    signed_with,
)
from tests.support.racing import FIGURES

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

PAIRS = 4  # client threads: two per app server
WARM_ROUNDS, ROUNDS = 2, 7  # transfers per pair before the kills, and in all
PER_TRANSFER = 3  # products per transfer
SWEEP_INTERVAL = 4  # seconds
TASK_TIMEOUT = 8  # a task running for longer goes back to the queue (the killed worker's)
EMAIL_TIMEOUT = 60
PASSWORD = "a-long-right-password-for-the-fleet"
PROBES = {"web:healthz", "web:readyz", "web:metrics"}


class Pair:
    """One client thread: a sender and a recipient, one transfer after the other."""

    def __init__(self, n: int, people: dict, balancer: Balancer, smtp):
        self.n, self.people, self.balancer, self.smtp = n, people, balancer, smtp
        self.prefer = n % 2  # the server this client starts on; it receives on the other one
        self.started: list[str] = []  # transfers whose start was answered 201
        self.received: list[tuple[str, str]] = []  # (transfer, destination) answered 200
        self.recovered = 0  # starts answered 409 after a lost first answer: found in the list

    def run_round(self, r: int) -> None:
        people, api = self.people, self.balancer
        products = people["products"][r * PER_TRANSFER : (r + 1) * PER_TRANSFER]
        start = api.send(
            "POST",
            f"/api/v1/organizations/{people['source']}/transfers",
            body={"product_ids": products, "accept_terms": True, "acknowledge_warnings": True},
            token=people["sender_token"],
            prefer=self.prefer,
        )
        if start.status == 201:
            transfer = start.body["id"]
            self.started.append(transfer)
        else:  # the first attempt took effect, its answer was lost: the transfer is in the list
            assert start.retried and start.status == 409, start
            assert start.body["code"] == "product_in_pending_transfer", start.body
            transfer = self._pending_transfer(products)
            self.recovered += 1

        marker = f"Round {r} of pair {self.n}"
        sent = api.send(
            "POST",
            f"/api/v1/transfers/{transfer}/send",
            body={"email": people["recipient"], "message": marker},
            token=people["sender_token"],
            prefer=self.prefer,
        )
        assert sent.status == 200, sent

        # The recipient opens the newest link emailed for this round (a send sent again after a lost
        # answer emailed two links, the first one dead).
        tried: set[str] = set()
        while True:
            emails = self.smtp.wait_for(
                lambda m: people["recipient"] in m[0] and marker in m[2] and link_in(m[2]) not in tried,
                EMAIL_TIMEOUT,
            )
            token = link_in(emails[-1][2])
            tried.add(token)
            received = api.send(
                "POST",
                "/api/v1/transfer-links/receive",
                body={
                    "token": token,
                    "destination_organization_id": people["destination"],
                    "accept_terms": True,
                },
                token=people["recipient_token"],
                prefer=self.prefer + 1,
            )
            if received.status == 200:
                assert received.body["state"] == "completed" and received.body["id"] == transfer
                self.received.append((transfer, people["destination"]))
                return
            assert received.status == 404 and received.body["code"] == "transfer_link_unknown", received

    def _pending_transfer(self, products: list[str]) -> str:
        listed = self.balancer.send(
            "GET",
            f"/api/v1/organizations/{self.people['source']}/transfers?state=pending&direction=outgoing",
            token=self.people["sender_token"],
            prefer=self.prefer,
        )
        assert listed.status == 200, listed
        [transfer] = [t for t in listed.body["items"] if {p["id"] for p in t["products"]} == set(products)]
        return transfer["id"]


class Browsing:
    """A browser whose session lives in the database: signed in by a form fetched from one server and
    posted to the other, then showing its profile page from either, in turn."""

    def __init__(self, balancer: Balancer):
        self.balancer = balancer
        self.cookies: dict[str, str] = {}
        self.pages = Counter()  # answered page views by port

    def sign_in(self, email: str, password: str, *, page_from: int, post_to: int):
        page = self.balancer.send("GET", "/accounts/login/", cookies=self.cookies, prefer=page_from)
        self.cookies.update(cookies_set(page))
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1]
        answer = self.balancer.send(
            "POST",
            "/accounts/login/",
            form={"login": email, "password": password, "csrfmiddlewaretoken": csrf},
            cookies=self.cookies,
            prefer=post_to,
        )
        self.cookies.update(cookies_set(answer))
        return answer

    def view_profile(self, prefer: int) -> None:
        page = self.balancer.send("GET", "/account/", cookies=self.cookies, prefer=prefer)
        assert page.status == 200 and "browser@fleet.example" in page.body, (page.status, page.port)
        self.pages[page.port] += 1


def request_counts(text: str) -> int:
    """handover_http_requests_total of one server's /metrics, the probes left out."""
    return sum(
        int(sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "handover_http_requests_total" and sample.labels["route"] not in PROBES
    )


def gauge(text: str, name: str, **labels: str) -> float:
    [value] = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    ]
    return value


def run_clients(pairs: list[Pair], rounds: range, browsing: Browsing, progress: threading.Semaphore) -> None:
    """Each pair's rounds in a thread of its own, the browser hopping meanwhile; returns when all are done."""
    failures: list[BaseException] = []
    done = threading.Event()

    def pair_rounds(pair: Pair) -> None:
        try:
            for r in rounds:
                pair.run_round(r)
                progress.release()
        except BaseException as exc:
            failures.append(exc)

    def browse() -> None:
        try:
            hop = 0
            while not done.wait(0.3):
                browsing.view_profile(prefer=hop)
                hop += 1
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=pair_rounds, args=(pair,)) for pair in pairs]
    browser = threading.Thread(target=browse)
    for thread in [*threads, browser]:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    done.set()
    browser.join(timeout=60)
    if failures:
        raise failures[0]


def announced(receiver) -> set[tuple[str, str, str]]:
    """(endpoint path, event type, transfer id) of every webhook request the receiver got."""
    return {
        (hook.path, body["type"], body["data"]["transfer"]["id"])
        for hook in list(receiver.requests)
        for body in [json.loads(hook.body)]
    }


def say(line: str) -> None:
    print(line)  # shown as it runs under pytest -s
    FIGURES.append(line)


def test_two_app_servers_and_two_workers_lose_nothing_answered_when_one_of_each_is_killed(
    fleet, smtp_server, fleet_webhooks
):
    smtp, _port = smtp_server
    people = fleet.shell(
        "from tests.support.fleet_data import populate; "
        f"populate(pairs={PAIRS}, products={ROUNDS * PER_TRANSFER}, password={PASSWORD!r})"
    )
    ports = [fleet.start_server("--workers", "2", "--threads", "2") for _ in range(2)]
    began = time.time()
    workers = [
        fleet.start_worker(
            "--interval",
            "0.2",
            "--sweep-interval",
            str(SWEEP_INTERVAL),
            HANDOVER_TASK_TIMEOUT=str(TASK_TIMEOUT),
        )
        for _ in range(2)
    ]
    fleet.wait_until_ready()
    traffic = Traffic()
    balancer = Balancer(ports, traffic)

    # Shared by the servers: sign-in failures counted by one refuse the next sign-in on the other, and
    # a session signed in on one (with a form from the other) is known to both.
    throttled = Browsing(balancer)
    for _ in range(5):  # allauth allows 5 failures per address in 5 minutes
        assert throttled.sign_in("throttled@fleet.example", "wrong", page_from=0, post_to=0).status == 200
    refused = throttled.sign_in("throttled@fleet.example", PASSWORD, page_from=1, post_to=1)
    assert "Too many failed login attempts" in refused.body
    browsing = Browsing(balancer)
    assert browsing.sign_in("browser@fleet.example", PASSWORD, page_from=0, post_to=1).status == 302
    browsing.view_profile(prefer=0)
    browsing.view_profile(prefer=1)

    # Each Organization's administrator registers a webhook endpoint, through either server.
    secrets: dict[str, str] = {}  # by the endpoint's path
    for n, person in enumerate(people):
        for organization, token, events in [
            (person["source"], person["sender_token"], ["transfer.started", "transfer.completed"]),
            (person["destination"], person["recipient_token"], ["transfer.completed"]),
        ]:
            path = f"/hooks/{organization}"
            registered = balancer.send(
                "POST",
                f"/api/v1/organizations/{organization}/webhooks",
                body={"url": fleet_webhooks.url(path), "events": events},
                token=token,
                prefer=n,
            )
            assert registered.status == 201, registered
            secrets[path] = registered.body["secret"]

    # Traffic through both servers, then each server's /metrics: their request counts add up.
    pairs = [Pair(n, people[n], balancer, smtp) for n in range(PAIRS)]
    run_clients(pairs, range(WARM_ROUNDS), browsing, threading.Semaphore(0))
    scraped = [scrape(port) for port in ports]
    for port, text in zip(ports, scraped, strict=True):
        assert request_counts(text) == traffic.answered[port]
    for text in scraped:  # read from the database: the fleet's figures, the same from each server
        assert gauge(text, "handover_transfers", state="completed") == PAIRS * WARM_ROUNDS
    say(
        f"fleet /metrics before the kills: requests answered by the two servers {traffic.answered[ports[0]]}"
        f" + {traffic.answered[ports[1]]} = handover_http_requests_total {request_counts(scraped[0])}"
        f" + {request_counts(scraped[1])}; handover_transfers{{state=completed}} "
        f"{gauge(scraped[0], 'handover_transfers', state='completed'):g} on each"
    )

    # The rest of the traffic; one app server, then one worker, are killed while it runs.
    kills: list[str] = []
    progress = threading.Semaphore(0)  # released at the end of each round
    remaining = PAIRS * (ROUNDS - WARM_ROUNDS)

    def killer() -> None:
        for _ in range(remaining // 4):
            progress.acquire(timeout=300)
        fleet.kill(fleet.servers[0][0].process)
        kills.append("app server 1")
        for _ in range(remaining // 4):
            progress.acquire(timeout=300)
        # The worker that is sending an email right now: its task must not be lost.
        sending = connection_owner(smtp.hold_one(), [worker.process for worker in workers])
        fleet.kill(sending)
        smtp.let_go()
        kills.append(f"worker {[w.process for w in workers].index(sending) + 1} while sending an email")

    killing = threading.Thread(target=killer)
    killing.start()
    run_clients(pairs, range(WARM_ROUNDS, ROUNDS), browsing, progress)
    killing.join(timeout=60)
    assert len(kills) == 2

    # The workers stop once every completed transfer's emails reached both sides (or after a minute).
    started = [t for pair in pairs for t in pair.started]
    received = [(pair, t, destination) for pair in pairs for t, destination in pair.received]

    def completion_emailed(pair: Pair, transfer: str) -> bool:
        to = {a for m in smtp.messages if reference_in(m[2]) == transfer for a in m[0]}
        return to == {pair.people["sender"], pair.people["recipient"]}

    smtp.wait_until(lambda: all(completion_emailed(pair, t) for pair, t, _d in received), EMAIL_TIMEOUT)
    # Each completed transfer announced to its source (started, completed) and its destination.
    expected = {
        (f"/hooks/{pair.people[side]}", event, transfer)
        for pair, transfer, _destination in received
        for side, event in [
            ("source", "transfer.started"),
            ("source", "transfer.completed"),
            ("destination", "transfer.completed"),
        ]
    }
    deadline = time.monotonic() + EMAIL_TIMEOUT
    while not expected <= announced(fleet_webhooks) and time.monotonic() < deadline:
        time.sleep(0.2)
    fleet.stop()
    ended = time.time()
    report = fleet.shell("from tests.support.fleet_data import report; report()")
    transfers = report["transfers"]

    # Every answered request took effect, every completion was told to both sides; nothing half-done.
    lost = [f"started transfer {t} is not in the database" for t in started if t not in transfers]
    for pair, transfer, destination in received:
        moved = transfers.get(transfer, {})
        if (moved.get("state"), moved.get("destination"), moved.get("holders")) != (
            "completed",
            destination,
            [destination],
        ):
            lost.append(f"received transfer {transfer} is {moved}")
        if not completion_emailed(pair, transfer):
            lost.append(f"the completion of transfer {transfer} was not emailed to both sides")
    lost += [
        f"webhook {event} of transfer {t} to {path} never arrived"
        for path, event, t in expected - announced(fleet_webhooks)
    ]
    assert lost == []
    assert report["violations"] == []
    assert len(received) == len(transfers) == PAIRS * ROUNDS  # every round completed, none doubled

    # Every email reached the SMTP server; a duplicate only from a task the killed worker was running.
    tasks = report["tasks"]
    link_tasks = [t for t in tasks if t["task"] == "send_transfer_link_email"]
    completion_tasks = [t for t in tasks if t["task"] == "send_transfer_completed_emails"]
    assert {t["status"] for t in link_tasks + completion_tasks} == {"SUCCESSFUL"}
    links_sent = sum(1 for t in link_tasks if t["returned"] is True)
    link_emails = [m for m in smtp.messages if link_in(m[2])]
    completion_emails = [m for m in smtp.messages if reference_in(m[2])]
    taken_twice = sum(1 for t in tasks if t["workers"] > 1)
    duplicates = len(link_emails) - links_sent + len(completion_emails) - 2 * len(completion_tasks)
    assert taken_twice >= 1  # the email task of the killed worker, run again by the other one
    assert 0 <= duplicates <= 2 * taken_twice, (duplicates, taken_twice)

    # Every webhook request signed with its endpoint's secret; a repeat only of an event already sent.
    hooks = fleet_webhooks.requests
    for hook in hooks:
        assert signed_with(secrets[hook.path], hook.headers["Handover-Signature"], hook.body), hook
    events = Counter(hook.headers["Handover-Event-Id"] for hook in hooks)
    assert set(report["webhook_deliveries"]) == {"delivered"}, report["webhook_deliveries"]
    assert sum(report["webhook_deliveries"].values()) == len(events) == len(expected)

    # The sweep: at most once per interval; and in every interval the workers ran, unless the last one
    # still waited for a worker when the interval began (busy workers), or (once, perhaps) a worker
    # died between claiming the interval and enqueuing its sweep.
    sweeps = [t for t in tasks if t["task"] == "sweep"]
    periods = Counter(int(t["enqueued_at"] // SWEEP_INTERVAL) for t in sweeps)
    assert max(periods.values()) == 1, periods

    def one_waiting(period: int) -> bool:
        begins = period * SWEEP_INTERVAL
        return any(t["enqueued_at"] < begins < (t["started_at"] or float("inf")) for t in sweeps)

    # From the first tick (a worker ticks as soon as it runs), to the stop.
    full = range(min(periods) + 1, int(ended // SWEEP_INTERVAL))
    waited = [p for p in full if p not in periods and one_waiting(p)]
    missing = [p for p in full if p not in periods and not one_waiting(p)]
    assert len(missing) <= 1, (missing, sorted(periods))

    say(
        f"fleet of 2 app servers and 2 workers on PostgreSQL, {ended - began:.0f} s: "
        f"requests {traffic.requests},"
        f" answered {sum(traffic.answered.values())}, retried {traffic.retried} (start answers recovered "
        f"from the list: {sum(p.recovered for p in pairs)}), kills {len(kills)} ({', '.join(kills)}), "
        f"transfers started {len(started)} and received {len(received)} ({PER_TRANSFER} products each), "
        f"page views by the hopping session {sum(browsing.pages.values())}, emails {len(smtp.messages)} "
        f"(links {len(link_emails)}, completions {len(completion_emails)}, duplicates {duplicates}, "
        f"tasks taken twice {taken_twice}), webhook deliveries {len(hooks)} ({len(events)} events to "
        f"{len(secrets)} endpoints, all signed, repeats {len(hooks) - len(events)}), "
        f"sweeps {sum(periods.values())} in {len(full)} full intervals of {SWEEP_INTERVAL} s "
        f"(at most one each; none while one waited: {len(waited)}), lost: {len(lost)}"
    )
