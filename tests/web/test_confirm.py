"""Every destructive or capability-killing action of the pages asks first, without JavaScript.

The page's button is a link to the action's address; a GET there is the confirm step
(handover.pages.ask_first, web/confirm.html): the question, what it changes, one POST button and a way
back, having changed nothing. Only the POST acts.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from handover.accounts.models import ApiToken
from handover.accounts.services import create_api_token
from handover.organizations.models import Membership, Role, Team
from handover.products.models import ProductAccess
from handover.transfers.models import Transfer, TransferState
from handover.transfers.services import rotate_transfer_link
from handover.webhooks.models import WebhookEndpoint
from tests.support import factories
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Action:
    page: str  # the page that offers the action
    address: str  # the action's address: its confirm step (GET), the action (POST)
    question: str  # words of the confirm step's title
    done: Callable[[], bool]  # whether the action has been done
    body: dict[str, Any] | None = None  # what the confirm step's form posts (its hidden fields if None)
    status: int = 302  # the answer to the POST (a new webhook secret is shown in it, once)


def _fresh(client: Client, user) -> Client:
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def world(client, terms, owner, org, admin, recipient, hosting, start):
    factories.add_member(org, role=Role.LEGAL_REPRESENTATIVE)  # so that the owner may leave
    team = factories.make_team(org, admin, name="Web team")
    access = factories.grant(hosting, admin)
    token, _secret = create_api_token(user=owner, name="CI")
    other = EmailAddress.objects.create(user=owner, email="old@example.com", verified=True)
    started = start(owner, org, hosting)
    membership = Membership.objects.get(organization=org, user=admin)
    hook = WebhookEndpoint.objects.create(
        organization=org, url="https://hooks.example.com/in", events=["transfer.started"], secret="s" * 40
    )
    members = reverse("organizations:members", args=[org.id])
    teams = reverse("organizations:teams", args=[org.id])
    detail = reverse("transfers:detail", args=[org.id, started.transfer.id])
    link_hash = started.transfer.link_hash

    def state() -> str:
        return Transfer.objects.get().state

    return {
        "remove a member": Action(
            members,
            reverse("organizations:member_remove", args=[org.id, membership.id]),
            "Remove Adam Admin from Source SA?",
            lambda: not Membership.objects.filter(pk=membership.pk).exists(),
        ),
        "leave the Organization": Action(
            members,
            reverse("organizations:leave", args=[org.id]),
            "Leave Source SA?",
            lambda: not Membership.objects.filter(organization=org, user=owner).exists(),
        ),
        "delete a team": Action(
            teams,
            reverse("organizations:team_delete", args=[org.id, team.id]),
            "Delete the team Web team?",
            lambda: not Team.objects.filter(pk=team.pk).exists(),
        ),
        "remove from a team": Action(
            teams,
            reverse("organizations:team_member_remove", args=[org.id, team.id, admin.id]),
            "Remove Adam Admin from the team Web team?",
            lambda: not team.members.filter(pk=admin.pk).exists(),
        ),
        "revoke an access right": Action(
            reverse("products:detail", args=[org.id, hosting.id]),
            reverse("products:revoke", args=[org.id, hosting.id, access.id]),
            f"Revoke the right of admin@example.com on {hosting.name}?",
            lambda: not ProductAccess.objects.filter(pk=access.pk).exists(),
        ),
        "revoke an API token": Action(
            reverse("accounts:tokens"),
            reverse("accounts:token_revoke", args=[token.id]),
            "Revoke the token CI?",
            lambda: ApiToken.objects.get(pk=token.pk).revoked_at is not None,
        ),
        "get a new link": Action(
            detail,
            reverse("transfers:rotate", args=[org.id, started.transfer.id]),
            "Get a new link?",
            lambda: Transfer.objects.get().link_hash != link_hash,
        ),
        "cancel a transfer": Action(
            detail,
            reverse("transfers:cancel", args=[org.id, started.transfer.id]),
            "Cancel this transfer?",
            lambda: state() == TransferState.CANCELLED,
            body={"reason": "Wrong product"},
        ),
        "remove an email address": Action(
            reverse("account_email"),
            reverse("accounts:email_remove") + "?email=old%40example.com",
            "Remove the email address old@example.com?",
            lambda: not EmailAddress.objects.filter(pk=other.pk).exists(),
        ),
        "rotate a webhook secret": Action(
            reverse("webhooks:list", args=[org.id]),
            reverse("webhooks:rotate", args=[org.id, hook.id]),
            "Give https://hooks.example.com/in a new secret?",
            lambda: WebhookEndpoint.objects.get(pk=hook.pk).secret != hook.secret,
            status=200,
        ),
        "delete a webhook endpoint": Action(
            reverse("webhooks:list", args=[org.id]),
            reverse("webhooks:delete", args=[org.id, hook.id]),
            "Delete the webhook endpoint https://hooks.example.com/in?",
            lambda: not WebhookEndpoint.objects.filter(pk=hook.pk).exists(),
        ),
    }


ACTIONS = [
    "remove a member",
    "leave the Organization",
    "delete a team",
    "remove from a team",
    "revoke an access right",
    "revoke an API token",
    "get a new link",
    "cancel a transfer",
    "remove an email address",
    "rotate a webhook secret",
    "delete a webhook endpoint",
]


def _form_of(html: str) -> tuple[str, dict[str, str]]:
    """The confirm step's form: where it posts, and its hidden fields but the CSRF token."""
    step = html[html.index('class="panel confirm-step"') :]
    form = re.search(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', step, re.S)
    assert form, html
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    hidden.pop("csrfmiddlewaretoken", None)
    return form.group(1).replace("&amp;", "&"), hidden


@pytest.mark.parametrize("name", ACTIONS)
def test_the_page_links_to_a_confirm_step_that_changes_nothing_then_the_post_acts(client, world, owner, name):
    action = world[name]
    client = _fresh(client, owner)

    page = client.get(action.page).content.decode()
    assert f'href="{escape(action.address)}"' in page, "the page's button leads to the confirm step"
    assert f'action="{escape(action.address)}"' not in page, "no form of the page acts at once"

    step = client.get(action.address)
    assert step.status_code == 200
    assert next(t.name for t in step.templates) == "web/confirm.html"
    html = step.content.decode()
    assert escape(action.question) in html
    assert 'class="danger"' in html and "No, go back" in html
    assert not action.done()

    address, hidden = _form_of(html)
    response = client.post(address, action.body if action.body is not None else hidden)
    assert response.status_code == action.status, response.content.decode()[:2000]
    assert action.done()


def test_every_action_of_the_list_is_checked_here(world):
    assert sorted(world) == sorted(ACTIONS)


def test_declining_asks_first_with_the_reason(client, world, recipient, started_link):
    client.force_login(recipient)
    client.get(reverse("transfers:receive_link", args=[started_link]))
    page = client.get(reverse("transfers:receive")).content.decode()
    decline = reverse("transfers:decline")
    shown = Transfer.objects.get().id
    assert f'href="{decline}?transfer={shown}"' in page and f'action="{decline}"' not in page

    step = client.get(f"{decline}?transfer={shown}")
    assert step.status_code == 200
    confirm = step.content.decode()
    assert "Decline the transfer?" in confirm and 'name="reason"' in confirm
    assert Transfer.objects.get().state == TransferState.PENDING

    response = client.post(decline, {"reason": "Not for me", "transfer": str(shown)})
    assert response.status_code == 200
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.end_reason) == (TransferState.DECLINED, "Not for me")


@pytest.fixture
def started_link(world):
    """The secret of the transfer's current link (the world's transfer, its link made anew)."""
    return rotate_transfer_link(
        actor=Transfer.objects.get().created_by, transfer=Transfer.objects.get()
    ).token


def test_a_cancel_reason_too_long_shows_the_confirm_step_again(client, world, owner):
    client = _fresh(client, owner)
    action = world["cancel a transfer"]
    response = client.post(action.address, {"reason": "x" * 5000})
    assert response.status_code == 400
    assert next(t.name for t in response.templates) == "web/confirm.html"
    assert Transfer.objects.get().state == TransferState.PENDING


def test_a_collaborator_is_refused_the_confirm_steps_of_admin_actions(client, world, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    client.force_login(collaborator)
    for name in ["remove a member", "delete a team", "remove from a team", "revoke an access right"]:
        assert client.get(world[name].address).status_code == 403, name
    assert client.get(world["revoke an API token"].address).status_code == 404


def test_the_confirm_step_of_an_email_address_not_mine_is_not_found(client, world, recipient):
    client.force_login(recipient)
    assert client.get(reverse("accounts:email_remove") + "?email=old%40example.com").status_code == 404
    assert client.get(reverse("accounts:email_remove")).status_code == 404


def test_a_demotion_that_takes_the_admin_rights_away_asks_first(client, world, owner, org, admin):
    client.force_login(owner)
    membership = Membership.objects.get(organization=org, user=admin)
    address = reverse("organizations:member_role", args=[org.id, membership.id])

    step = client.post(address, {"role": Role.COLLABORATOR})

    assert step.status_code == 200
    assert next(t.name for t in step.templates) == "web/confirm.html"
    html = step.content.decode()
    assert "Make Adam Admin Collaborator?" in html
    membership.refresh_from_db()
    assert membership.role == Role.ADMINISTRATOR
    action, hidden = _form_of(html)
    assert (action, hidden) == (address, {"role": Role.COLLABORATOR, "confirmed": "1"})

    assert client.post(action, hidden).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.COLLABORATOR
    assert client.post(address, {"role": Role.ADMINISTRATOR}).status_code == 302  # no rights lost: at once
    membership.refresh_from_db()
    assert membership.role == Role.ADMINISTRATOR


def test_removing_or_demoting_an_administrator_says_their_links_and_webhooks_end(
    client, world, owner, org, admin
):
    _fresh(client, owner)
    collaborator = factories.add_member(org, factories.make_user("col@example.com"), Role.COLLABORATOR)
    admin_membership = Membership.objects.get(organization=org, user=admin)
    remove = "organizations:member_remove"

    of_admin = client.get(reverse(remove, args=[org.id, admin_membership.id])).content.decode()
    demoting = client.post(
        reverse("organizations:member_role", args=[org.id, admin_membership.id]), {"role": Role.COLLABORATOR}
    ).content.decode()
    of_collaborator = client.get(
        reverse(remove, args=[org.id, Membership.objects.get(organization=org, user=collaborator).id])
    ).content.decode()
    leaving = client.get(reverse("organizations:leave", args=[org.id])).content.decode()

    assert "The transfer links they issued stop working." in of_admin
    assert "The webhooks they registered are removed." in of_admin
    assert "The webhooks they registered are removed." in demoting
    assert "webhooks" not in of_collaborator.split('class="panel confirm-step"')[1]
    assert "the webhooks you registered are removed" in leaving
