"""Links that cannot be abused (SPEC §3.4, §5): unguessable, hashed at rest, single use, expiring,
rotatable, rate-limited, and kept out of logs, `Referer` headers and API paths.

ASVS 5.0: 6.6.x and 11.5.1 (secrets from a CSPRNG with at least 128 bits), 7.2.x-style token handling
(single use, expiry), 2.4.x and 6.3.1 (anti-automation: rate limits), 16.2.5 / 16.4.x (no secrets in
logs), 14.2.1 (no sensitive data in URLs sent to third parties), 8.x (the receiver must administer
the destination).
"""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handover.hashing import hash_secret
from handover.transfers import links
from handover.transfers.models import LinkAttempt, Transfer, TransferState
from handover.transfers.services import rotate_transfer_link
from tests.support import factories
from tests.support.api import assert_error

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 256 bits of HMAC output, base64url without padding


@pytest.fixture
def started(start, org, owner, hosting):
    return start(owner, org, hosting)


# Unguessable, and only a hash at rest -----------------------------------------------------------


def test_each_link_comes_from_128_random_bits_of_the_secrets_module(monkeypatch, start, org, owner, terms):
    """The nonce comes from `secrets` (the OS CSPRNG) with 16 bytes; the link is an HMAC of it under
    SECRET_KEY, so the database, which holds the nonce, does not hold the link."""
    drawn = []
    real = links.secrets.token_hex

    def spy(nbytes=None):
        drawn.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(links.secrets, "token_hex", spy)
    products = factories.make_products(org, 200)
    tokens = {start(owner, org, product).token for product in products}

    assert drawn == [16] * 200
    assert len(tokens) == 200
    assert all(TOKEN.match(token) for token in tokens)
    transfer = Transfer.objects.first()
    assert len(transfer.link_nonce) == 32  # 128 bits, hex
    assert transfer.link_hash == hash_secret(links.link_secret(transfer.id, transfer.link_nonce))


def test_the_link_cannot_be_derived_from_the_database_without_the_secret_key(settings, started):
    transfer = started.transfer
    settings.SECRET_KEY = "another key, as an attacker holding only a database dump would have to guess"
    assert links.link_secret(transfer.id, transfer.link_nonce) != started.token


def _every_row_of_every_table() -> str:
    """A dump of the whole database, every table and column, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names)
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def test_no_table_holds_a_link_secret_after_a_whole_flow(
    api, owner, org, hosting, recipient, destination, terms, run_tasks
):
    """Started, replaced, emailed (the queued task holds a nonce, not the link), inspected, received."""
    owner_api, recipient_api = api(owner), api(recipient)
    first = owner_api.post(
        f"/organizations/{org.id}/transfers",
        {"product_ids": [str(hosting.id)], "accept_terms": True, "acknowledge_warnings": True},
    ).json()
    second = owner_api.post(f"/transfers/{first['id']}/link").json()
    assert (
        owner_api.post(f"/transfers/{first['id']}/send", {"email": "recipient@example.com"}).status_code
        == 200
    )
    dump_with_the_email_queued = _every_row_of_every_table()
    run_tasks()
    from django.core import mail

    emailed = re.search(r"/transfers/receive/([A-Za-z0-9_-]+)", mail.outbox[0].body).group(1)
    assert recipient_api.post("/transfer-links/inspect", {"token": emailed}).status_code == 200
    received = recipient_api.post(
        "/transfer-links/receive",
        {"token": emailed, "destination_organization_id": str(destination.id), "accept_terms": True},
    )
    assert received.status_code == 200
    dump_at_the_end = _every_row_of_every_table()

    for secret in (first["token"], second["token"], emailed):
        assert secret not in dump_with_the_email_queued
        assert secret not in dump_at_the_end
    assert hash_secret(emailed) in dump_at_the_end  # what is kept instead


# Constant answers, single use, expiry ----------------------------------------------------------------


def _answers(client, token, destination):
    return [
        client.post("/transfer-links/inspect", {"token": token}),
        client.post(
            "/transfer-links/receive",
            {"token": token, "destination_organization_id": str(destination.id), "accept_terms": True},
        ),
        client.post("/transfer-links/decline", {"token": token}),
    ]


def test_an_unknown_a_tampered_and_a_replaced_link_get_the_same_answers(
    api, owner, started, recipient, destination
):
    """Nothing tells a guesser whether a link ever existed."""
    client = api(recipient)
    replaced = started.token
    rotate_transfer_link(actor=owner, transfer=started.transfer)
    tampered = replaced[:-1] + ("A" if replaced[-1] != "A" else "B")
    unknown = links.link_secret("00000000-0000-0000-0000-000000000000", links.new_nonce())

    seen = []
    for token in (unknown, tampered, replaced):
        answers = _answers(client, token, destination)
        for response in answers:
            assert_error(response, 404, "transfer_link_unknown")
        seen.append([response.json() for response in answers])
    assert seen[0] == seen[1] == seen[2]
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_used_link_gives_nothing_more_to_anyone_else(api, started, recipient, destination, hosting):
    assert _answers(api(recipient), started.token, destination)[1].status_code == 200
    other = factories.make_user()
    other_org = factories.make_org(owner=other)

    inspect, receive, decline = _answers(api(other), started.token, other_org)

    for response in (inspect, receive, decline):
        assert_error(response, 409, "transfer_not_pending")
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.destination_organization) == (TransferState.COMPLETED, destination)
    hosting.refresh_from_db()
    assert hosting.organization == destination


def test_an_expired_link_is_refused_for_every_use(api, started, recipient, destination):
    transfer = started.transfer
    assert transfer.expires_at == transfer.created_at + timedelta(seconds=settings.HANDOVER_TRANSFER_TTL)
    with time_machine.travel(transfer.expires_at + timedelta(seconds=1)):
        for response in _answers(api(recipient), started.token, destination):
            assert_error(response, 410, "transfer_expired")
    assert Transfer.objects.get().state == TransferState.PENDING  # the sweep marks it; nothing else did


# Rate limits against guessing -----------------------------------------------------------------------


def test_guessing_through_the_api_is_stopped_per_user_with_429(
    api, settings, started, recipient, destination
):
    settings.HANDOVER_LINK_ATTEMPT_LIMIT = 5
    client = api(recipient)
    for attempt in range(5):
        assert_error(
            client.post("/transfer-links/inspect", {"token": f"guess{attempt}"}), 404, "transfer_link_unknown"
        )

    for response in _answers(client, started.token, destination):  # even the right link, for now
        assert_error(response, 429, "too_many_attempts")
        assert int(response["Retry-After"]) == settings.HANDOVER_LINK_ATTEMPT_WINDOW
    assert Transfer.objects.get().state == TransferState.PENDING

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.HANDOVER_LINK_ATTEMPT_WINDOW + 1)):
        assert client.post("/transfer-links/inspect", {"token": started.token}).status_code == 200


def test_guessing_from_one_address_is_throttled_but_a_valid_link_from_it_is_never_refused(
    api, settings, started, recipient, destination
):
    """Many accounts guessing from one address (or one guesser behind a shared one: a company's NAT,
    the load balancer) get 429 past the address's limit; a valid link presented from the same address
    still works, even by one of the guessing accounts, and is never refused because of them."""
    settings.HANDOVER_LINK_ATTEMPT_LIMIT = 4
    shared = "203.0.113.9"

    def inspect(client, token, address=shared):
        return client.client.post(
            "/api/v1/transfer-links/inspect",
            {"token": token},
            content_type="application/json",
            headers=client.headers,
            REMOTE_ADDR=address,
        )

    guessers = [api(factories.make_user()) for _ in range(6)]
    for guesser in guessers[:4]:  # four accounts, one guess each, from the same address
        assert_error(inspect(guesser, "guess"), 404, "transfer_link_unknown")
    for guesser in guessers[4:]:  # past the address's limit, a wrong secret is told to stop
        assert_error(inspect(guesser, "guess"), 429, "too_many_attempts")
    assert LinkAttempt.objects.filter(key=f"ip:{shared}").count() == 6

    assert inspect(api(recipient), started.token).status_code == 200
    assert inspect(guessers[0], started.token).status_code == 200
    received = api(recipient).client.post(
        "/api/v1/transfer-links/receive",
        {"token": started.token, "destination_organization_id": str(destination.id), "accept_terms": True},
        content_type="application/json",
        headers=api(recipient).headers,
        REMOTE_ADDR=shared,
    )
    assert received.status_code == 200, received.content


def test_a_valid_link_is_never_refused_on_a_page_because_others_guessed_from_the_same_address(
    client, settings, started, recipient
):
    settings.HANDOVER_LINK_ATTEMPT_LIMIT = 2
    for _ in range(5):
        client.force_login(factories.make_user())
        client.get(reverse("transfers:receive_link", args=["guess"]), REMOTE_ADDR="203.0.113.9")
        client.get(reverse("transfers:receive"), REMOTE_ADDR="203.0.113.9")
    assert LinkAttempt.objects.filter(key="ip:203.0.113.9").count() == 5

    client.force_login(recipient)
    opened = client.get(reverse("transfers:receive_link", args=[started.token]), REMOTE_ADDR="203.0.113.9")
    page = client.get(opened["Location"], REMOTE_ADDR="203.0.113.9")

    assert page.status_code == 200
    assert "Source SA" in page.content.decode()


def test_failed_attempts_are_counted_even_though_the_request_fails(api, settings, started, recipient):
    """The attempt row is written outside the request's transaction: a refusal cannot undo it."""
    client = api(recipient)
    client.post("/transfer-links/receive", {"token": "guess", "accept_terms": True})
    assert LinkAttempt.objects.filter(key=f"user:{recipient.pk}").count() == 1


# Never in logs, Referer headers or API paths ----------------------------------------------------------


def test_no_log_record_of_a_whole_flow_holds_a_link_secret(
    caplog, client, api, owner, org, hosting, recipient, destination, terms, run_tasks
):
    """Every logger at DEBUG, SQL included (its parameters hold the hash, never the secret)."""
    for name in ["", *logging.root.manager.loggerDict]:  # every logger, whatever its configured level
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    try:
        owner_api = api(owner)
        started = owner_api.post(
            f"/organizations/{org.id}/transfers",
            {"product_ids": [str(hosting.id)], "accept_terms": True, "acknowledge_warnings": True},
        ).json()
        renewed = owner_api.post(f"/transfers/{started['id']}/link").json()
        owner_api.post(
            f"/transfers/{started['id']}/send", {"email": "recipient@example.com", "bind_to_email": False}
        )
        run_tasks()
        from django.core import mail

        emailed = re.search(r"/transfers/receive/([A-Za-z0-9_-]+)", mail.outbox[-1].body).group(1)
        client.force_login(recipient)
        client.get(reverse("transfers:receive_link", args=[started["token"]]))  # a dead link, opened
        client.get(reverse("transfers:receive"))
        client.get(reverse("transfers:receive_link", args=[emailed]))
        client.get(reverse("transfers:receive"))
        api(recipient).post(
            "/transfer-links/receive",
            {"token": emailed, "destination_organization_id": str(destination.id), "accept_terms": True},
        )
    finally:
        connection.force_debug_cursor = False

    assert any("transfers_transfer" in r.getMessage() for r in caplog.records)  # SQL was captured
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (started["token"], renewed["token"], emailed):
        assert secret not in text


def test_an_opened_link_leaves_the_address_bar_and_no_referer_carries_it(client, started, recipient):
    client.force_login(recipient)
    opened = client.get(reverse("transfers:receive_link", args=[started.token]))

    assert opened.status_code == 302
    assert started.token not in opened["Location"]
    assert opened["Referrer-Policy"] == "no-referrer"
    assert "no-store" in opened["Cache-Control"]

    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert started.token not in page.content.decode()
    assert page["Referrer-Policy"] in {"no-referrer", "same-origin"}  # its address holds no secret anyway
    assert "no-store" in page["Cache-Control"]


def test_no_api_operation_takes_a_secret_in_its_path_or_query():
    document = Client().get("/api/v1/openapi.json").json()
    secret_names = re.compile(r"token|secret|link", re.IGNORECASE)
    carriers = []
    for path, item in document["paths"].items():
        assert not secret_names.search(re.sub(r"transfer-links|/link$|/rotate-secret$", "", path)), path
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                assert not secret_names.search(parameter["name"]), (method, path, parameter["name"])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            schema = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
            if "token" in schema.get("properties", {}):
                carriers.append((method.upper(), path))
    assert sorted(carriers) == [
        ("POST", "/api/v1/transfer-links/decline"),
        ("POST", "/api/v1/transfer-links/inspect"),
        ("POST", "/api/v1/transfer-links/products"),
        ("POST", "/api/v1/transfer-links/receive"),
    ]


def test_a_secret_in_a_query_string_is_not_accepted(api, started, recipient):
    response = api(recipient).get("/transfer-links/inspect", {"token": started.token})
    assert response.status_code == 405
