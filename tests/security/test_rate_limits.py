"""Members invited, links sent and email addresses added are limited per user and per Organization
(SPEC §6.2): 429 `too_many_requests` with Retry-After, nothing done, on every interface; the counts
live in the database (Django's cache is a table of it), so every app server of a fleet shares them."""

import pytest
from django.db import connection
from django.urls import reverse

from handover.errors import TooManyRequests
from handover.organizations.errors import AlreadyMember
from handover.organizations.models import Membership, Role
from handover.organizations.services import add_member
from handover.transfers.models import Transfer
from handover.transfers.services import send_transfer_link
from tests.support import factories
from tests.support.api import assert_error
from tests.support.factories import PASSWORD


@pytest.fixture
def limits(settings):
    settings.HANDOVER_RATE_LIMITS = {
        "invite_member": {"user": 3, "organization": 5},
        "send_link": {"user": 2, "organization": 3},
        "add_email": {"user": 2},
    }


def _fresh(client, user):
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def test_members_invited_are_limited_per_user_and_per_organization(limits, org, owner, client):
    other_admin = factories.add_member(org, role=Role.ADMINISTRATOR)
    for n in range(3):
        add_member(actor=owner, organization=org, email=f"a{n}@example.com", role=Role.COLLABORATOR)
    with pytest.raises(TooManyRequests):
        add_member(actor=owner, organization=org, email="a3@example.com", role=Role.COLLABORATOR)
    for n in range(2):
        add_member(actor=other_admin, organization=org, email=f"b{n}@example.com", role=Role.COLLABORATOR)

    # The Organization's 5 are used up: its other administrator is refused too, on the web page.
    response = _fresh(client, other_admin).post(
        reverse("organizations:member_add", args=[org.id]),
        {"email": "b2@example.com", "role": "collaborator", "level": "use"},
    )

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Membership.objects.filter(organization=org).count() == 2 + 5
    assert not Membership.objects.filter(user__email__in=["a3@example.com", "b2@example.com"]).exists()
    # A member invited into another Organization counts against the same user.
    elsewhere = factories.make_org(owner=owner)
    with pytest.raises(TooManyRequests):
        add_member(actor=owner, organization=elsewhere, email="c@example.com", role=Role.COLLABORATOR)


def test_an_operator_is_not_limited(limits, org):
    for n in range(6):
        add_member(actor=None, organization=org, email=f"op{n}@example.com", role=Role.COLLABORATOR)
    assert Membership.objects.filter(organization=org).count() == 7


def test_links_sent_are_limited_per_user_and_per_organization(limits, org, owner, started, api):
    other_admin = factories.add_member(org, role=Role.ADMINISTRATOR)
    for n in range(2):
        send_transfer_link(actor=owner, transfer=started.transfer, email=f"r{n}@example.com")
    with pytest.raises(TooManyRequests):
        send_transfer_link(actor=owner, transfer=started.transfer, email="r2@example.com")
    send_transfer_link(actor=other_admin, transfer=started.transfer, email="s0@example.com")

    response = api(other_admin).post(f"/transfers/{started.transfer.id}/send", {"email": "s1@example.com"})

    assert_error(response, 429, "too_many_requests")
    assert int(response["Retry-After"]) > 0
    assert Transfer.objects.get().bound_email == "s0@example.com"


def test_email_addresses_added_are_limited_per_user(limits, owner, client):
    _fresh(client, owner)
    for n in range(2):
        assert (
            client.post("/accounts/email/", {"action_add": "", "email": f"mine{n}@example.com"}).status_code
            == 302
        )

    response = client.post("/accounts/email/", {"action_add": "", "email": "mine2@example.com"})

    assert response.status_code == 429
    assert not owner.emailaddress_set.filter(email="mine2@example.com").exists()


def test_the_counts_live_in_the_database_and_an_undone_action_is_not_counted(limits, org, owner):
    with pytest.raises(AlreadyMember):
        add_member(
            actor=owner, organization=org, email=owner.email, role=Role.COLLABORATOR
        )  # already a member
    for n in range(3):
        add_member(actor=owner, organization=org, email=f"d{n}@example.com", role=Role.COLLABORATOR)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM handover_cache WHERE cache_key LIKE %s", ["%invite_member%"])
        keys = sorted(key for (key,) in cursor.fetchall())
    assert keys == [
        f":1:handover:rate:invite_member:organization:{org.pk}",
        f":1:handover:rate:invite_member:user:{owner.pk}",
    ]
