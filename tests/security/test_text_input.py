"""Names and notes hold no control characters, on every interface (SPEC §6.2): one rule
(handover.text) that the services apply, so the web, the API and the CLI refuse the same values with
a 400 naming the field, and nothing is stored."""

import pytest
from django.urls import reverse

from handover.accounts.models import ApiToken, User
from handover.organizations.models import Organization, Team
from handover.transfers.models import Transfer, TransferState
from tests.support.api import assert_error
from tests.support.factories import PASSWORD
from tests.support.world import snapshot

ESCAPE = "Evil\x1b[31m Corp"  # a terminal colours whatever the CLI prints after it
BELL = "Ring\x07ing"


@pytest.fixture
def fresh(client, owner):
    client.force_login(owner)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def _pages(org, transfer):
    return [
        (reverse("organizations:create"), {"name": ESCAPE, "country": "CH"}),
        (reverse("organizations:settings", args=[org.id]), {"name": ESCAPE, "country": "CH"}),
        (reverse("organizations:team_create", args=[org.id]), {"name": ESCAPE}),
        (
            reverse("organizations:member_add", args=[org.id]),
            {"email": "n@example.com", "name": ESCAPE, "role": "collaborator", "level": "use"},
        ),
        (reverse("accounts:profile"), {"name": ESCAPE, "language": ""}),
        (reverse("accounts:tokens"), {"name": ESCAPE}),
        (
            reverse("transfers:send", args=[org.id, transfer.id]),
            {"email": "r@example.com", "message": f"Hello\n{BELL}", "bind_to_email": "on"},
        ),
        (reverse("transfers:cancel", args=[org.id, transfer.id]), {"reason": BELL}),
    ]


def test_names_and_notes_refuse_control_characters_on_every_page(fresh, org, started):
    before = snapshot()
    for path, data in _pages(org, started.transfer):
        response = fresh.post(path, data)
        assert response.status_code == 400, (path, response.status_code)
        assert "Control characters are not allowed." in response.content.decode(), path
    assert snapshot() == before
    assert Transfer.objects.get().state == TransferState.PENDING


def test_sign_up_refuses_control_characters_in_names(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "s@example.com",
            "name": ESCAPE,
            "password1": "A-long-pass-9876",
            "password2": "A-long-pass-9876",
        },
    )
    assert "Control characters are not allowed." in response.content.decode()
    assert not User.objects.filter(email="s@example.com").exists()


def test_the_api_and_the_cli_refuse_the_same_names(api, owner, cli):
    assert_error(api(owner).post("/organizations", {"name": ESCAPE}), 400, "invalid")
    run = cli("org", "create", ESCAPE)
    assert run.code != 0 and "\x1b" not in run.out
    assert not Organization.objects.filter(name__contains="Evil").exists()


def test_a_note_keeps_its_line_breaks_and_tabs(fresh, org, started):
    response = fresh.post(
        reverse("transfers:send", args=[org.id, started.transfer.id]),
        {"email": "r@example.com", "message": "Line one\n\tLine two", "bind_to_email": "on"},
    )
    assert response.status_code == 302
    assert not Team.objects.exists() and not ApiToken.objects.exists()
