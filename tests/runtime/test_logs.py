"""Logs: one access line per request with its request id, JSON lines with LOG_FORMAT=json, the task
worker's lines naming their task, and no secret in any record, whatever wrote it."""

import io
import json
import logging
import re
import signal
from contextlib import contextmanager

import pytest
from django.test import Client

from handover.runtime.logs import JsonFormatter, RedactSecrets
from tests.support.api import ApiClient
from tests.support.processes import embedded_env, last_line, run_handover
from tests.support.servers import request, wait_until_answering


def handlers() -> list[logging.Handler]:
    """Every handler that writes somewhere, of every logger, but those pytest adds to capture records."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    return [
        h
        for log in loggers
        for h in log.handlers
        if not isinstance(h, logging.NullHandler) and not type(h).__module__.startswith("_pytest")
    ]


def test_every_handler_redacts_secrets():
    assert handlers()
    for handler in handlers():
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler


@contextmanager
def captured_json_logs():
    """The lines the configured handler writes (its filters included), as JSON, for this block."""
    [handler] = [h for h in logging.getLogger().handlers if h.name == "console"]
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter())
    lines: list[dict] = []
    try:
        yield lines
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


SECRETS = {
    "/transfers/receive/Zm9vYmFyLXNlY3JldC1saW5r": "/transfers/receive/[redacted]",
    "/accounts/password/reset/key/1x-a2b3c4d5e6f7/": "/accounts/password/reset/key/[redacted]/",
    "/accounts/confirm-email/MQ:1uAbCd:xYz/": "/accounts/confirm-email/[redacted]/",
    "token hov_AbCdEf0123456789_-xyz used": "token hov_[redacted] used",
    "{'HTTP_AUTHORIZATION': 'Bearer opaque-value'}": "{'HTTP_AUTHORIZATION': '[redacted]'}",
    "Authorization: Basic dXNlcjpwYXNz": "Authorization: [redacted]",
    "whsec_Q2xhc3NpZmllZC1zZWNyZXQ used": "whsec_[redacted] used",
    "Cookie: sessionid=abc123; csrftoken=def": "Cookie: [redacted]",
    "GET /api/v1/me?token=opaque-value&x=1": "GET /api/v1/me?token=[redacted]&x=1",
    '{"token": "opaque-value", "accept_terms": true}': '{"token": "[redacted]", "accept_terms": true}',
    "boom 0123456789abcdefghijABCDEFGHIJ_-0123456789a!": "boom [redacted]!",
}


@pytest.mark.parametrize("secret", SECRETS)
def test_a_secret_is_redacted_from_message_arguments_and_tracebacks(secret):
    log = logging.getLogger("tests.anything")
    with captured_json_logs() as lines:
        log.warning("Seen: %s", secret)
        try:
            raise ValueError(secret)
        except ValueError:
            log.exception("Failed")
    assert lines[0]["message"] == f"Seen: {SECRETS[secret]}"
    assert SECRETS[secret] in lines[1]["exception"]
    assert all(secret not in json.dumps(line) for line in lines)


@pytest.mark.django_db
def test_each_request_has_one_access_line_with_its_request_id(client, owner, org):
    client.force_login(owner)
    with captured_json_logs() as lines:
        response = client.get(f"/o/{org.id}/products/", HTTP_X_REQUEST_ID="lb-4f2a.77")
    assert response["X-Request-ID"] == "lb-4f2a.77"
    [access] = [line for line in lines if line["logger"] == "handover.access"]
    assert access["message"].startswith(f"GET /o/{org.id}/products/ 200 ")
    assert access["request_id"] == "lb-4f2a.77"
    assert access["user_id"] == str(owner.id)
    assert access["organization_id"] == str(org.id)
    assert access["route"] == "products:list"
    assert (access["method"], access["status"]) == ("GET", 200)
    assert access["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", access["time"])
    assert access["level"] == "INFO"


@pytest.mark.django_db
def test_an_api_request_on_an_organization_names_it_in_its_access_line(owner, org):
    with captured_json_logs() as lines:
        response = ApiClient(owner).get(f"/organizations/{org.id}/transfers")
    assert response.status_code == 200
    [access] = [line for line in lines if line["logger"] == "handover.access"]
    assert (access["user_id"], access["organization_id"]) == (str(owner.id), str(org.id))


@pytest.mark.parametrize("given", ["", "has spaces", "x" * 201, "ünïcode", "a\nb"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, given):
    with captured_json_logs() as lines:
        response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert lines[-1]["request_id"] == response["X-Request-ID"]


MAKE_LINKS = (
    "from tests.support.world import make_world; "
    "from handover.transfers.services import send_transfer_link; "
    "live, emailed = make_world(products=2), make_world(products=2); "
    "send_transfer_link(actor=emailed.owner, transfer=emailed.transfer, email='rita@example.com'); "
    "print(live.token)"
)


@pytest.mark.slow
def test_a_live_links_secret_never_reaches_the_server_log(serve, tmp_path):
    """Django logs a refused method with the path ("Method Not Allowed (OPTIONS): /transfers/receive/
    <secret>"), as CSRF logs a refused POST: the real server's output must show neither secret."""
    env = embedded_env(tmp_path)
    run_handover(env, "migrate", "--verbosity", "0")
    secret = last_line(run_handover(env, "shell", "--no-imports", "-c", MAKE_LINKS))
    server, port = serve("--no-migrate", "--workers", "1", LOG_FORMAT="json")
    server.wait_for("send_transfer_link_email state=SUCCESSFUL")  # the worker sent the other link
    wait_until_answering(port)

    assert request(port, "OPTIONS", f"/transfers/receive/{secret}")[0] == 405
    assert request(port, "POST", f"/transfers/receive/{secret}", body=b"")[0] == 403  # no CSRF token
    status, headers, _body = request(port, "GET", f"/transfers/receive/{secret}", {"X-Request-ID": "probe-1"})
    assert (status, headers["X-Request-ID"]) == (302, "probe-1")
    server.wait_for("/transfers/receive/[redacted] 302")
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)

    output = "".join(server.output)
    assert secret not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    messages = [line["message"] for line in lines]
    assert "Method Not Allowed (OPTIONS): /transfers/receive/[redacted]" in messages
    assert any(
        m.startswith("Forbidden (CSRF cookie not set.): /transfers/receive/[redacted]") for m in messages
    )
    [access] = [
        line for line in lines if line.get("request_id") == "probe-1" and line["logger"] == "handover.access"
    ]
    assert access["route"] == "transfers:receive_link"
    [task_line] = [line for line in lines if "send_transfer_link_email state=SUCCESSFUL" in line["message"]]
    assert task_line["task_name"] == "handover.transfers.tasks.send_transfer_link_email"
    assert re.fullmatch(r"[0-9a-f-]{36}", task_line["task_id"])


@pytest.mark.django_db
def test_no_secret_reaches_a_log_line_whatever_the_method_or_status(started, owner, monkeypatch):
    """A live link's secret sent every way a client may send it, answered 2xx to 5xx: no log line
    holds it (access lines, Django's request warnings, the API's error log with its traceback)."""
    secret = started.token
    link = f"/transfers/receive/{secret}"
    browser, api = Client(enforce_csrf_checks=True), ApiClient(owner)
    api.client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError(f"could not inspect {kwargs['token']}")

    with captured_json_logs() as lines:
        answers = [
            browser.generic(method, link).status_code for method in ("GET", "HEAD", "OPTIONS", "POST", "PUT")
        ]
        answers.append(browser.get(f"{link}?token={secret}").status_code)
        answers.append(browser.get(f"{link}/more").status_code)
        answers.append(api.post("/transfer-links/inspect", raw=f'{{"token": "{secret}"').status_code)
        answers.append(api.get(f"/transfers/{secret}", {"token": secret}).status_code)
        answers.append(api.request("DELETE", "/transfer-links/inspect", {"token": secret}).status_code)
        monkeypatch.setattr("handover.transfers.api.services.inspect_transfer_link", broken)
        answers.append(api.post("/transfer-links/inspect", {"token": secret}).status_code)

    assert {answer // 100 for answer in answers} == {3, 4, 5}, answers
    assert 405 in answers and 404 in answers and 403 in answers and 500 in answers
    assert len(lines) >= len(answers)
    assert [line for line in lines if secret in json.dumps(line)] == []
    assert any("could not inspect [redacted]" in line.get("exception", "") for line in lines)
