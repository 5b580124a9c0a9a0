"""Races through the real HTTP server on the embedded SQLite database, as `make run` serves it.

`handover serve` runs as a subprocess (several HTTP worker processes, each with threads) on a fresh
HANDOVER_DATA_DIR; requests come from threads released together by a barrier, each with its own
HTTP connection and personal API token. SQLite serializes writers (WAL, immediate transactions, a
busy timeout): the promise checked here is that no request fails with "database is locked" or any
500, and that the outcomes are those of SPEC §5.
"""

import http.client
import json
import threading
from collections import Counter

import pytest

from tests.support.processes import embedded_env, last_line, run_handover
from tests.support.racing import CONTENDERS, FIGURES, JOIN_TIMEOUT, TRIALS
from tests.support.servers import Serve, free_port, wait_until_answering

pytestmark = pytest.mark.slow

PER_TRANSFER = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A migrated, populated SQLite database served by `handover serve` (2 workers x 4 threads)."""
    data_dir = tmp_path_factory.mktemp("http-race")
    env = embedded_env(data_dir)
    run_handover(env, "migrate", "--verbosity", "0")
    code = (
        "from tests.support.server_data import populate; "
        f"populate(recipients={CONTENDERS}, batches={3 * TRIALS}, per_batch={PER_TRANSFER})"
    )
    data = json.loads(last_line(run_handover(env, "shell", "--no-imports", "-c", code)))
    port = free_port()
    process = Serve(data_dir, port, "--workers", "2", "--threads", "4")
    process.wait_for("Handover is serving")
    for _ in range(2):
        process.wait_for("Started worker-")
    wait_until_answering(port)
    yield port, data, process
    process.stop()
    assert "database is locked" not in "".join(process.output)


class Api:
    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=JOIN_TIMEOUT)
        self.token = token

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        self.connection.request(
            "POST",
            f"/api/v1/{path}",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")


def http_race(port: int, requests: list[tuple[str, str, dict]]) -> list[tuple[int, dict]]:
    """POST each (token, path, body) from its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(requests))
    answers: list[tuple[int, dict]] = [(0, {})] * len(requests)

    def run(index: int, token: str, path: str, body: dict) -> None:
        api = Api(port, token)
        api.connection.connect()
        barrier.wait(timeout=JOIN_TIMEOUT)
        try:
            answers[index] = api.post(path, body)
        finally:
            api.connection.close()

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    return answers


def _no_server_error(answers):
    for status, body in answers:
        assert status < 500, body
        assert "locked" not in json.dumps(body).lower(), body


def _start(port, data, batch):
    status, body = Api(port, data["owner"]).post(
        f"organizations/{data['source']}/transfers",
        {"product_ids": batch, "accept_terms": True, "acknowledge_warnings": True},
    )
    assert status == 201, body
    return body


def test_concurrent_http_receives_of_one_link_on_sqlite_have_one_winner(server):
    port, data, _process = server
    statuses: Counter[int] = Counter()
    for trial in range(TRIALS):
        started = _start(port, data, data["batches"][trial])
        answers = http_race(
            port,
            [
                (
                    person["token"],
                    "transfer-links/receive",
                    {
                        "token": started["token"],
                        "destination_organization_id": person["org"],
                        "accept_terms": True,
                    },
                )
                for person in data["recipients"]
            ],
        )
        _no_server_error(answers)
        winners = [i for i, (status, _body) in enumerate(answers) if status == 200]
        assert len(winners) == 1, answers
        assert sorted({body["code"] for status, body in answers if status != 200}) == ["transfer_not_pending"]
        winner = data["recipients"][winners[0]]
        [(_status, body)] = [answers[winners[0]]]
        assert body["state"] == "completed"
        assert body["destination_organization"]["id"] == winner["org"]
        assert len(body["products"]) == PER_TRANSFER
        # The winner's retry answers the completed transfer again.
        status, again = Api(port, winner["token"]).post(
            "transfer-links/receive",
            {"token": started["token"], "destination_organization_id": winner["org"], "accept_terms": True},
        )
        assert (status, again["id"], again["completed_at"]) == (200, body["id"], body["completed_at"])
        statuses.update(status for status, _body in answers)
    FIGURES.append(
        f"HTTP receives on SQLite: {TRIALS} trials x {CONTENDERS} contenders, statuses {dict(statuses)}, "
        "no 5xx, no 'database is locked'"
    )


def test_concurrent_http_starts_over_the_same_products_on_sqlite_leave_one_pending(server):
    port, data, _process = server
    statuses: Counter[int] = Counter()
    for trial in range(TRIALS):
        batch = data["batches"][TRIALS + trial]
        answers = http_race(
            port,
            [
                (
                    data["owner"],
                    f"organizations/{data['source']}/transfers",
                    {"product_ids": batch, "accept_terms": True, "acknowledge_warnings": True},
                )
            ]
            * CONTENDERS,
        )
        _no_server_error(answers)
        assert sorted(status for status, _body in answers) == [201] + [409] * (CONTENDERS - 1), answers
        assert {body["code"] for status, body in answers if status == 409} == {"product_in_pending_transfer"}
        statuses.update(status for status, _body in answers)
    FIGURES.append(
        f"HTTP starts on SQLite: {TRIALS} trials x {CONTENDERS} contenders, statuses {dict(statuses)}"
    )


def test_cancel_decline_and_receive_over_http_on_sqlite_leave_one_outcome(server):
    port, data, _process = server
    receiver, decliner = data["recipients"][:2]
    tally: Counter[str] = Counter()
    for trial in range(TRIALS):
        started = _start(port, data, data["batches"][2 * TRIALS + trial])
        answers = http_race(
            port,
            [
                (data["owner"], f"transfers/{started['id']}/cancel", {}),
                (
                    receiver["token"],
                    "transfer-links/receive",
                    {
                        "token": started["token"],
                        "destination_organization_id": receiver["org"],
                        "accept_terms": True,
                    },
                ),
                (decliner["token"], "transfer-links/decline", {"token": started["token"]}),
            ],
        )
        _no_server_error(answers)
        assert sorted(status for status, _body in answers) == [200, 409, 409], answers
        [state] = [body["state"] for status, body in answers if status == 200]
        assert {body["code"] for status, body in answers if status == 409} == {"transfer_not_pending"}
        tally[state] += 1
    FIGURES.append(f"HTTP cancel vs receive vs decline on SQLite: {TRIALS} trials, outcomes {dict(tally)}")
