"""What the pages keep between requests (SPEC §6.2): the receive form names the transfer it shows, no
link secret sits in the session table, and anonymous requests write no row anywhere."""

import re
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from handover.products.models import Product
from handover.transfers.links import link_secret
from handover.transfers.models import Transfer, TransferState
from tests.support.factories import PASSWORD
from tests.support.urls import resolver_routes

RECEIVE = reverse("transfers:receive")


def _fresh(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


def _open(client, token) -> str:
    """Open a link as a browser tab does; returns the address of its receive page."""
    return client.get(reverse("transfers:receive_link", args=[token]))["Location"]


def _form_of(page) -> dict[str, str]:
    """The hidden fields of the receive page's form, as the browser would post them."""
    form = page.content.decode().split(f'action="{RECEIVE}"')[1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_a_receive_form_receives_the_transfer_it_shows_never_one_opened_in_another_tab(
    start, org, owner, recipient, destination, hosting, domain
):
    first = start(owner, org, hosting)
    second = start(owner, org, domain)
    browser = _fresh(recipient)
    first_tab = browser.get(_open(browser, first.token))
    assert "hosting" in first_tab.content.decode()
    browser.get(_open(browser, second.token))  # a second link, in another tab

    posted = {
        **_form_of(first_tab),
        "action": "receive",
        "destination": str(destination.id),
        "accept_terms": "on",
    }
    response = browser.post(RECEIVE, posted)

    assert response.status_code == 302
    assert Transfer.objects.get(pk=first.transfer.pk).state == TransferState.COMPLETED
    assert Transfer.objects.get(pk=second.transfer.pk).state == TransferState.PENDING
    assert Product.objects.get(pk=hosting.pk).organization == destination
    assert Product.objects.get(pk=domain.pk).organization == org


def test_a_receive_form_whose_transfer_is_not_open_here_fails_and_changes_nothing(
    start, org, owner, recipient, destination, hosting, domain
):
    """A form that names no transfer, or one this browser has not opened, receives nothing."""
    first = start(owner, org, hosting)
    start(owner, org, domain)
    browser = _fresh(recipient)
    browser.get(_open(browser, first.token))
    form = {"action": "receive", "destination": str(destination.id), "accept_terms": "on"}

    for named in (
        {},
        {"transfer": str(uuid.uuid4())},
        {"transfer": str(Transfer.objects.exclude(pk=first.transfer.pk).get().pk)},
    ):
        response = browser.post(RECEIVE, {**form, **named})
        assert response.status_code == 404
        assert "open its link again" in response.content.decode()
    assert set(Transfer.objects.values_list("state", flat=True)) == {TransferState.PENDING}
    assert set(Product.objects.values_list("organization", flat=True)) == {org.id}


def test_no_link_secret_sits_in_the_session_table(sign_in_owner, org, owner, hosting, terms):
    """Starting and renewing show the link once on the transfer's page; the session holds its hash."""
    client = sign_in_owner
    client.post(
        reverse("transfers:start", args=[org.id]),
        {
            "products": [str(hosting.id)],
            "accept_terms": "on",
            "acknowledge_warnings": "on",
            "action": "start",
        },
    )
    transfer = Transfer.objects.get()
    rotated = client.post(reverse("transfers:rotate", args=[org.id, transfer.id]))
    assert rotated.status_code == 302
    transfer.refresh_from_db()

    stored = " ".join(str(s.get_decoded()) + s.session_data for s in Session.objects.all())
    secret = link_secret(transfer.id, transfer.link_nonce)
    assert secret not in stored
    assert secret in client.get(rotated["Location"]).content.decode()  # shown once
    assert secret not in client.get(rotated["Location"]).content.decode()


@pytest.fixture
def sign_in_owner(owner):
    return _fresh(owner)


# Anonymous requests ------------------------------------------------------------------------------

SAMPLES = {"token": "not-a-link-secret", "key": "unknown-key", "uidb36": "1", "path": "x"}


def _paths(real_token: str) -> list[str]:
    """An address for every URL pattern a visitor can reach with GET: each parameter filled with a
    sample (a random id for ids), and the receive link with a real secret and a wrong one."""
    paths = []
    for route, _name in resolver_routes():
        if "(?" in route or "^" in route or "$" in route:
            continue  # a pattern of the admin or the API's catch-all: covered by its concrete siblings
        paths.append(
            "/"
            + re.sub(
                r"<(?:(\w+):)?(\w+)>",
                lambda m: str(uuid.uuid4()) if m.group(1) == "uuid" else SAMPLES.get(m.group(2), "x"),
                route,
            )
        )
    return [*paths, reverse("transfers:receive_link", args=[real_token])]


def _rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_anonymous_requests_write_no_row_anywhere(started):
    before = _rows()
    visitor = Client()
    paths = _paths(started.token)
    assert len(paths) > 80

    for path in paths:
        visitor.get(path)
        visitor.head(path)
    for path in (
        reverse("transfers:receive_link", args=["guess"]),
        reverse("transfers:receive_link", args=[started.token]),
    ):
        visitor.post(path)
        visitor.options(path)
        visitor.get(RECEIVE)

    after = _rows()
    changed = {table: (n, after[table]) for table, n in before.items() if after[table] != n}
    assert changed == {}
    assert not Session.objects.exists()
