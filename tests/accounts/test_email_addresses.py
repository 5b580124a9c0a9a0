"""An email address is someone's only once verified (SPEC §6.2): an unverified claim on another
person's address blocks neither their sign-up nor their invitation, and a bound link never reaches
the claimant."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from handover.accounts.models import User
from handover.organizations.models import Role
from handover.organizations.services import add_member
from handover.transfers.errors import TransferBoundToEmail
from handover.transfers.links import link_secret
from handover.transfers.services import receive_transfer, send_transfer_link
from tests.support import factories
from tests.support.factories import PASSWORD

VICTIM = "victim@example.com"


@pytest.fixture
def squatter(db):
    """Someone who attached the victim's address to their own account, unverified, as the web lets anyone."""
    user = factories.make_user("squatter@example.com")
    client = Client()
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post("/accounts/email/", {"action_add": "", "email": VICTIM.upper()})
    assert EmailAddress.objects.filter(user=user, email__iexact=VICTIM, verified=False).exists()
    mail.outbox.clear()
    return user


def test_an_unverified_address_claimed_by_someone_else_never_blocks_its_owners_invitation(
    squatter, org, owner
):
    membership = add_member(actor=owner, organization=org, email=VICTIM, role=Role.COLLABORATOR)

    assert membership.user != squatter and membership.user.email == VICTIM
    assert list(EmailAddress.objects.filter(email__iexact=VICTIM).values_list("user", "verified")) == [
        (membership.user.pk, True)
    ]


def test_an_unverified_address_claimed_by_someone_else_never_blocks_its_owners_sign_up(squatter, client):
    client.post(
        "/accounts/signup/",
        {"email": VICTIM, "name": "Vic", "password1": "A-long-pass-9876", "password2": "A-long-pass-9876"},
    )

    owner = User.objects.get(email=VICTIM)
    assert list(EmailAddress.objects.filter(email__iexact=VICTIM).values_list("user", "verified")) == [
        (owner.pk, False)
    ]


def test_a_link_bound_to_an_address_is_not_received_by_an_unverified_claimant(squatter, owner, started):
    squat = factories.make_org("Squat", owner=squatter)
    transfer = send_transfer_link(actor=owner, transfer=started.transfer, email=VICTIM)

    with pytest.raises(TransferBoundToEmail):
        receive_transfer(
            actor=squatter,
            token=link_secret(transfer.id, transfer.link_nonce),
            accept_terms=True,
            destination=squat,
        )


def test_only_the_account_that_added_an_address_confirms_it(db):
    """The squatter's confirmation email reaches the real owner: their click must not verify the
    address for the squatter (it would then receive the links bound to it)."""
    squatter = factories.make_user("squatter@example.com")
    client = Client()
    client.force_login(squatter)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post("/accounts/email/", {"action_add": "", "email": VICTIM})
    [confirmation] = mail.outbox
    path = re.search(r"/accounts/confirm-email/[^/\s]+/", confirmation.body).group(0)

    refused = Client().post(path)  # the owner, in their own browser
    assert refused.status_code == 403
    assert not EmailAddress.objects.get(email=VICTIM).verified

    client.post(path)  # the account that added it, signed in: its own address, confirmed
    assert EmailAddress.objects.get(email=VICTIM).verified
