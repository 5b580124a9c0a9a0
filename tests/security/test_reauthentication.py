"""One re-authentication rule for every action that creates or hands out a capability, on every
interface (SPEC §3.5, §6.2), and a new password or second factor revokes every other credential."""

import json
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from handover.accounts.models import ApiToken
from handover.accounts.services import create_api_token
from handover.organizations.models import Membership
from handover.products.models import Product
from handover.transfers.models import Transfer, TransferState
from tests.support import factories
from tests.support.api import BASE, assert_error, receive_body, start_body
from tests.support.factories import PASSWORD


def _old_session(user) -> Client:
    """A session signed in longer ago than the re-authentication window (no sign-in record at all)."""
    client = Client()
    client.force_login(user)
    return client


def _fresh_session(user) -> Client:
    client = _old_session(user)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


def _post(client: Client, path: str, body=None):
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def other_org(owner):
    """Another Organization of the owner, to complete a transfer into."""
    return factories.make_org("Other SA", owner=owner)


API_ACTIONS = {
    "start": lambda c: _post(c["owner"], f"/organizations/{c['org'].id}/transfers", start_body(c["domain"])),
    "new link": lambda c: _post(c["owner"], f"/transfers/{c['transfer'].id}/link"),
    "send": lambda c: _post(c["owner"], f"/transfers/{c['transfer'].id}/send", {"email": "x@example.com"}),
    "complete": lambda c: _post(
        c["owner"],
        f"/transfers/{c['transfer'].id}/complete",
        {"destination_organization_id": str(c["other_org"].id), "accept_terms": True},
    ),
    "receive": lambda c: _post(
        c["recipient"], "/transfer-links/receive", receive_body(c["token"], c["destination"])
    ),
}


def _context(session, owner, recipient, started, **objects) -> dict:
    """What the API actions need: the owner's and the recipient's clients (`session` makes them),
    the started transfer and its link, and the Organizations and products of the test."""
    return {
        "owner": session(owner),
        "recipient": session(recipient),
        "transfer": started.transfer,
        "token": started.token,
        **objects,
    }


@pytest.mark.parametrize("action", API_ACTIONS)
def test_every_capability_creating_api_call_of_an_old_session_answers_401_reauthentication_required(
    start, org, owner, recipient, destination, other_org, hosting, domain, action, run_tasks
):
    started = start(owner, org, hosting)
    context = _context(
        _old_session,
        owner,
        recipient,
        started,
        org=org,
        domain=domain,
        destination=destination,
        other_org=other_org,
    )
    link_hash = Transfer.objects.get().link_hash

    assert_error(API_ACTIONS[action](context), 401, "reauthentication_required")

    [transfer] = Transfer.objects.all()
    assert (transfer.state, transfer.link_hash) == (TransferState.PENDING, link_hash)
    assert set(Product.objects.values_list("organization", flat=True)) == {org.id}
    run_tasks()
    assert mail.outbox == []


@pytest.mark.parametrize("action", API_ACTIONS)
def test_the_same_calls_pass_with_a_recent_sign_in_or_with_a_personal_api_token(
    start, api, org, owner, recipient, destination, other_org, hosting, domain, action
):
    """A token is itself the credential: creating one is what re-authentication guards."""
    started = start(owner, org, hosting)
    context = _context(
        _fresh_session,
        owner,
        recipient,
        started,
        org=org,
        domain=domain,
        destination=destination,
        other_org=other_org,
    )
    assert API_ACTIONS[action](context).status_code in {200, 201}

    with_token = api(owner).post(f"/transfers/{started.transfer.id}/cancel")
    assert with_token.status_code in {200, 409}


def _token_page(client, org):
    return client.post(reverse("accounts:tokens"), {"name": "laptop"})


def _add_member(client, org):
    url = reverse("organizations:member_add", args=[org.id])
    return client.post(url, {"email": "new.admin@example.com", "role": "administrator", "level": "use"})


def _add_email(client, org):
    return client.post(reverse("account_email"), {"email": "second@example.com", "action_add": ""})


PAGE_ACTIONS = {"create an API token": _token_page, "add a member": _add_member, "add an email": _add_email}


def _capabilities(owner):
    return (
        ApiToken.objects.count(),
        Membership.objects.count(),
        EmailAddress.objects.filter(user=owner).count(),
    )


@pytest.mark.parametrize("action", PAGE_ACTIONS)
def test_every_capability_creating_page_asks_an_old_session_for_the_password_first(org, owner, action):
    before = _capabilities(owner)

    response = PAGE_ACTIONS[action](_old_session(owner), org)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert _capabilities(owner) == before


@pytest.mark.parametrize("action", PAGE_ACTIONS)
def test_the_same_pages_act_after_the_password_was_confirmed(org, owner, action):
    before = _capabilities(owner)

    response = PAGE_ACTIONS[action](_fresh_session(owner), org)

    assert response.status_code in {201, 302}
    assert response.get("Location", "") != reverse("account_reauthenticate")
    assert sum(_capabilities(owner)) == sum(before) + 1


# A new password or second factor revokes every other credential --------------------------------


def _change_password(client):
    new = "another correct horse battery"
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302, response.content[:300]
    return response


def _turn_on_totp(client):
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302, response.content[:300]
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists()
    return response


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("change", "subject"),
    [
        (_change_password, "Your Handover password was changed"),
        (_turn_on_totp, "A second factor now protects your Handover account"),
    ],
    ids=["new password", "second factor"],
)
def test_a_new_password_or_second_factor_revokes_the_users_tokens_and_other_sessions_and_tells_them(
    owner, org, run_tasks, change, subject
):
    """Run outside a test transaction: allauth announces a second factor on commit, as it happens
    in a real request (the session that turned it on keeps going)."""
    _token, secret = create_api_token(user=owner, name="ci")
    bearer = {"Authorization": f"Bearer {secret}"}
    elsewhere = _old_session(owner)
    here = _fresh_session(owner)
    assert Client().get(BASE + "/me", headers=bearer).status_code == 200

    response = change(here)

    assert Client().get(BASE + "/me", headers=bearer).status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
    signed_out = elsewhere.get(reverse("accounts:profile"))
    assert signed_out.status_code == 302 and signed_out["Location"].startswith(reverse("account_login"))
    assert here.get(reverse("accounts:profile")).status_code == 200  # the session that changed it goes on
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "your other sessions were signed out and your personal API token was revoked" in m for m in told
    )
    run_tasks()
    [message] = [m for m in mail.outbox if m.subject == subject]
    assert message.to == [owner.email]
    assert "personal API token was revoked" in message.body
    assert re.search(r"https?://\S+/accounts/password/reset/", message.body)
