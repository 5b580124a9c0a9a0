"""The receiving side: opening a link, the receive page, receiving, creating an Organization, declining."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership, Organization, Role
from handover.products.models import Product, ProductStatus
from handover.transfers import errors
from handover.transfers.models import Transfer, TransferState
from handover.transfers.services import cancel_transfer, receive_transfer, send_transfer_link
from handover.transfers.views import OpenLinks
from tests.support import factories
from tests.support.factories import PASSWORD

RECEIVE = reverse("transfers:receive")
DECLINE = reverse("transfers:decline")


@pytest.fixture
def sign_in(client):
    """Sign `user` in; with `fresh`, as if they had just typed their password again."""

    def _sign_in(user, *, fresh=True):
        client.force_login(user)
        if fresh:
            assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
        return client

    return _sign_in


@pytest.fixture
def started(start, org, owner, hosting, domain):
    return start(owner, org, hosting, domain, note="Your new shop, as agreed.")


def arrived(organization):
    """The products page of `organization` showing what the (one) transfer just brought."""
    return reverse("products:list", args=[organization.id]) + f"?transfer={Transfer.objects.get().id}"


def open_link(client, token):
    """Open the link as a browser does, following the redirect that drops the secret."""
    response = client.get(reverse("transfers:receive_link", args=[token]))
    assert response.status_code == 302
    assert response["Location"].startswith(RECEIVE)
    return response


def _shown():
    """The transfer the receive page shows, which its forms name: the latest one here."""
    return str(Transfer.objects.latest("created_at").id)


def receive_form(destination=None, **data):
    return {
        "action": "receive",
        "mode": "existing",
        "destination": str(destination.id) if destination else "",
        "accept_terms": "on",
        "transfer": _shown(),
        **data,
    }


def decline_form(**data):
    return {"transfer": _shown(), **data}


def test_opening_a_link_takes_it_out_of_the_address_and_changes_nothing(client, started):
    events = AuditEvent.objects.count()

    response = open_link(client, started.token)

    assert response["Referrer-Policy"] == "no-referrer"
    assert started.token not in response["Location"]
    # The browser keeps the transfer and its nonce in a signed cookie, never the secret itself; the
    # visitor, not signed in, has no session.
    assert response["Location"] == f"{RECEIVE}?transfer={started.transfer.id}"
    assert OpenLinks.of(response.wsgi_request).open == {}
    kept = response.cookies[OpenLinks.COOKIE]
    assert started.token not in kept.value
    assert kept["httponly"] and kept["samesite"] == "Lax" and kept["path"] == "/transfers/"
    assert not Session.objects.exists()
    assert Transfer.objects.get().state == TransferState.PENDING
    assert AuditEvent.objects.count() == events


def test_a_link_cannot_be_posted_to(client, started):
    assert client.post(reverse("transfers:receive_link", args=[started.token])).status_code == 405
    assert OpenLinks.COOKIE not in client.cookies


def test_an_anonymous_recipient_is_sent_to_sign_in_and_back(client, started, recipient):
    open_link(client, started.token)
    response = client.get(RECEIVE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={RECEIVE}"
    assert started.token not in response["Location"]
    login_page = client.get(response["Location"])
    assertContains(login_page, "Sign in, or create an account, to receive the transfer.")
    # The sign-in page offers sign-up, keeping where to come back to.
    assertContains(login_page, f"{reverse('account_signup')}?next={RECEIVE.replace('/', '%2F')}")

    response = client.post(
        reverse("account_login"), {"login": "recipient@example.com", "password": PASSWORD, "next": RECEIVE}
    )
    assert response.status_code == 302
    assert response["Location"] == RECEIVE
    assertContains(client.get(RECEIVE), "Source SA")


def test_a_new_user_signs_up_verifies_their_email_and_comes_back_to_the_transfer(client, started):
    open_link(client, started.token)
    client.get(RECEIVE)
    response = client.post(
        f"{reverse('account_signup')}?next={RECEIVE}",
        {
            "email": "newcomer@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "name": "Nora Newcomer",
            "next": RECEIVE,
        },
    )
    assert response.status_code == 302
    assert mail.outbox, "allauth sends the verification email at once"
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)

    response = client.post(confirm)

    assert response.status_code == 302
    assert response["Location"] == RECEIVE
    page = client.get(RECEIVE)
    assert page.status_code == 200
    assertContains(page, "Source SA")
    # Their own Organization, made at sign-up, is offered.
    assertContains(page, "Nora Newcomer")


def test_the_receive_page_shows_what_would_come_and_what_it_means(
    sign_in, started, owner, recipient, destination, org
):
    watched = factories.make_org("Watched Org")
    factories.add_member(watched, recipient, Role.COLLABORATOR)
    factories.add_member(org, recipient, Role.ADMINISTRATOR)  # admin of the source too: not offered
    bob = factories.add_member(
        org, factories.make_user("bob@example.com", name="Bob Secret"), Role.COLLABORATOR
    )
    factories.grant(started.transfer.items.first().product, bob)
    client = sign_in(recipient)
    open_link(client, started.token)

    response = client.get(RECEIVE)

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    for text in ("Source SA", "shop.example", "Web hosting", "example.ch", "Domain name", "Olivia Owner"):
        assertContains(response, text)
    assertContains(response, started.transfer.expires_at.isoformat())
    assertContains(response, "Your new shop, as agreed.")
    assertContains(response, "No invoices come along")
    assertContains(response, "lose it")
    assertContains(response, "The services keep running")
    assertContains(response, "(1 user, 0 teams)")
    assertNotContains(response, "Bob Secret")  # the source's people are not named to an outsider
    body = response.content.decode()
    select = body.split('name="destination"')[1].split("</select>")[0]
    assert f'<option value="{destination.id}" selected>Destination GmbH</option>' in select  # the only one
    assert "Watched Org" not in select and "Source SA" not in select
    assertContains(response, '<label for="id_destination">Destination Organization</label>', html=True)
    here = f"{RECEIVE}?transfer={started.transfer.id}"
    assertContains(response, f'<a href="{here}&amp;new=1">Create a new Organization</a>', html=True)
    assert re.search(
        r'<button type="submit" name="action" value="receive" disabled '
        r'data-requires="id_destination id_accept_terms">Receive the products</button>',
        body,
    )
    decline = f"{DECLINE}?transfer={started.transfer.id}"
    assertContains(response, f'<a class="btn danger" href="{decline}">Decline</a>', html=True)
    assert started.token not in body


def test_one_product_is_received_with_the_singular_button(
    sign_in, start, org, owner, hosting, recipient, destination
):
    started = start(owner, org, hosting)
    client = sign_in(recipient)
    open_link(client, started.token)
    assertContains(client.get(RECEIVE), "Receive the product</button>")


def test_receiving_moves_the_products_and_leads_to_them(sign_in, started, recipient, destination, org):
    client = sign_in(recipient)
    open_link(client, started.token)

    response = client.post(RECEIVE, receive_form(destination))

    assert response.status_code == 302
    assert response["Location"] == arrived(destination)
    assert started.token not in response["Location"]
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.destination_organization, transfer.received_by) == (
        TransferState.COMPLETED,
        destination,
        recipient,
    )
    assert set(Product.objects.values_list("organization_id", flat=True)) == {destination.id}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["The 2 products were transferred from Source SA to Destination GmbH."]


def test_submitting_twice_gives_the_same_result_and_moves_once(sign_in, started, recipient, destination):
    client = sign_in(recipient)
    open_link(client, started.token)

    first = client.post(RECEIVE, receive_form(destination))
    second = client.post(RECEIVE, receive_form(destination))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == arrived(destination)
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_RECEIVED).count() == 1
    # Opening the page again afterwards leads to the products too.
    assert client.get(RECEIVE)["Location"] == arrived(destination)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"destination": ""}, 400, str(errors.DestinationRequired.message)),
        ({"accept_terms": ""}, 422, str(errors.TermsNotAccepted.message)),
        ({"destination": "not-an-org"}, 400, "Select a valid choice"),
        ({"mode": "new", "new_organization_name": ""}, 400, str(errors.DestinationRequired.message)),
        ({"mode": "new", "new_organization_name": "x" * 151}, 400, "at most 150 characters"),
        ({"action": "explode"}, 400, "Choose an action."),
    ],
)
def test_a_bad_receive_is_refused_with_a_message_and_nothing_changes(
    sign_in, started, recipient, destination, org, data, status, message
):
    client = sign_in(recipient)
    open_link(client, started.token)
    organizations = Organization.objects.count()

    response = client.post(RECEIVE, {**receive_form(destination), **data})

    assertContains(response, message, status_code=status)
    assert Transfer.objects.get().state == TransferState.PENDING
    assert set(Product.objects.values_list("organization_id", flat=True)) == {org.id}
    assert Organization.objects.count() == organizations


def test_an_organization_where_the_recipient_is_not_admin_is_refused(
    sign_in, started, recipient, destination, org
):
    watched = factories.make_org("Watched Org")
    factories.add_member(watched, recipient, Role.COLLABORATOR)
    factories.add_member(org, recipient, Role.ADMINISTRATOR)
    client = sign_in(recipient)
    open_link(client, started.token)
    for target in (watched, org, factories.make_org("Stranger")):
        response = client.post(RECEIVE, receive_form(target))
        assertContains(response, "Select a valid choice", status_code=400)
    assert Transfer.objects.get().state == TransferState.PENDING


def test_receiving_into_a_new_organization(sign_in, started, recipient, destination):
    client = sign_in(recipient)
    open_link(client, started.token)
    page = client.get(RECEIVE, {"new": "1"})
    assertContains(
        page, '<label for="id_new_organization_name">Name of the new Organization</label>', html=True
    )
    assertContains(page, '<input type="hidden" name="mode" value="new">', html=True)
    assertContains(page, 'data-requires="id_new_organization_name id_accept_terms"')

    response = client.post(
        RECEIVE, receive_form(None, mode="new", new_organization_name="  Fresh   Start SARL ")
    )

    fresh = Organization.objects.get(name="Fresh Start SARL")
    assert response["Location"] == arrived(fresh)
    assert Membership.objects.get(organization=fresh).user == recipient
    assert Membership.objects.get(organization=fresh).role == Role.LEGAL_REPRESENTATIVE
    assert Transfer.objects.get().destination_organization == fresh
    assert set(Product.objects.values_list("organization_id", flat=True)) == {fresh.id}


def test_a_recipient_without_an_admin_organization_is_offered_to_create_one(sign_in, started):
    loner = factories.make_user("loner@example.com")
    client = sign_in(loner)
    open_link(client, started.token)
    page = client.get(RECEIVE)
    assertContains(page, '<input type="hidden" name="mode" value="new">', html=True)
    assertNotContains(page, 'name="destination"')


def test_decline_with_a_reason(sign_in, started, recipient, org, run_tasks):
    client = sign_in(recipient, fresh=False)  # declining needs no password
    open_link(client, started.token)

    response = client.post(DECLINE, decline_form(reason="Wrong recipient"))

    assert response.status_code == 200
    assertContains(response, "You declined the transfer.")
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.end_reason, transfer.ended_by) == (
        TransferState.DECLINED,
        "Wrong recipient",
        recipient,
    )
    assert set(Product.objects.values_list("organization_id", flat=True)) == {org.id}
    run_tasks()
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_receiving_asks_for_the_password_again_and_then_goes_on(sign_in, started, recipient, destination):
    client = sign_in(recipient, fresh=False)
    open_link(client, started.token)
    assert client.get(RECEIVE).status_code == 200

    response = client.post(RECEIVE, receive_form(destination))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Transfer.objects.get().state == TransferState.PENDING

    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == arrived(destination)
    assert Transfer.objects.get().state == TransferState.COMPLETED


# Links that do not work --------------------------------------------------------------------------


def test_without_a_link_the_page_says_how_to_get_here(sign_in, recipient):
    response = sign_in(recipient).get(RECEIVE)
    assertContains(response, "Open the transfer link you received", status_code=404)


def test_an_unknown_link(sign_in, started, recipient, destination):
    client = sign_in(recipient)
    open_link(client, started.token[:-2] + "xx")
    response = client.get(RECEIVE)
    assertContains(response, "This transfer link is not valid", status_code=404)
    assertContains(response, str(errors.TransferLinkUnknown.message), status_code=404)
    response = client.post(RECEIVE, receive_form(destination))
    assert response.status_code == 404
    assert Transfer.objects.get().state == TransferState.PENDING


def test_an_expired_link(sign_in, started, recipient, destination):
    Transfer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = sign_in(recipient)
    open_link(client, started.token)
    response = client.get(RECEIVE)
    assertContains(response, "This transfer link has expired", status_code=410)
    response = client.post(RECEIVE, receive_form(destination))
    assertContains(response, str(errors.TransferExpired.message), status_code=410)
    assert Transfer.objects.get().destination_organization is None


def test_a_used_link(sign_in, started, recipient, destination):
    someone = factories.make_user("someone@example.com")
    receive_transfer(
        actor=someone, token=started.token, destination=factories.make_org(owner=someone), accept_terms=True
    )
    client = sign_in(recipient)
    open_link(client, started.token)
    response = client.get(RECEIVE)
    assertContains(response, str(errors.TRANSFER_ALREADY_USED), status_code=409)
    response = client.post(RECEIVE, receive_form(destination))
    assert response.status_code == 409
    assert Transfer.objects.get().received_by == someone


def test_a_cancelled_link(sign_in, started, owner, recipient):
    cancel_transfer(actor=owner, transfer=started.transfer)
    client = sign_in(recipient)
    open_link(client, started.token)
    assertContains(client.get(RECEIVE), str(errors.TRANSFER_WAS_CANCELLED), status_code=409)


def test_a_declined_link(sign_in, started, recipient):
    client = sign_in(recipient)
    open_link(client, started.token)
    client.post(DECLINE, decline_form())
    open_link(client, started.token)
    assertContains(client.get(RECEIVE), str(errors.TRANSFER_WAS_DECLINED), status_code=409)


def test_a_link_sent_to_another_address(sign_in, started, owner, recipient, destination, run_tasks):
    send_transfer_link(actor=owner, transfer=started.transfer, email="someone.else@example.com")
    run_tasks()
    token = re.search(r"/transfers/receive/([\w-]+)", mail.outbox[-1].body).group(1)
    client = sign_in(recipient)
    open_link(client, token)
    response = client.get(RECEIVE)
    assertContains(response, escape(errors.TransferBoundToEmail.message), status_code=403)
    response = client.post(RECEIVE, receive_form(destination))
    assert response.status_code == 403
    assert client.post(DECLINE, decline_form()).status_code == 403
    assert Transfer.objects.get().state == TransferState.PENDING


@pytest.mark.parametrize("count", [5, 60])
def test_the_receive_page_makes_the_same_number_of_queries_whatever_the_number_of_products(
    sign_in, start, org, owner, recipient, destination, count, django_assert_num_queries
):
    started = start(owner, org, *factories.make_products(org, count))
    client = sign_in(recipient)
    open_link(client, started.token)
    with django_assert_num_queries(18):  # 17, and the badge of the transfers icon (tests/web/test_badge.py)
        assert client.get(RECEIVE).status_code == 200


def test_a_product_that_became_ineligible_makes_the_receive_fail_and_nothing_moves(
    sign_in, started, recipient, destination, org
):
    Product.objects.filter(name="shop.example").update(status=ProductStatus.SUSPENDED)
    client = sign_in(recipient)
    open_link(client, started.token)

    response = client.post(RECEIVE, receive_form(destination))

    assertContains(response, "These products can no longer be transferred: shop.example.", status_code=409)
    assert Transfer.objects.get().state == TransferState.PENDING
    assert set(Product.objects.values_list("organization_id", flat=True)) == {org.id}


def test_guessing_links_is_stopped_with_429(sign_in, started, recipient, settings):
    settings.HANDOVER_LINK_ATTEMPT_LIMIT = 3
    client = sign_in(recipient)
    for attempt in range(3):
        open_link(client, f"guess-{attempt}")
        assert client.get(RECEIVE).status_code == 404
    open_link(client, started.token)  # even the right one, until the window has passed

    response = client.get(RECEIVE)

    assertContains(response, "Too many attempts", status_code=429)
    assert int(response["Retry-After"]) == settings.HANDOVER_LINK_ATTEMPT_WINDOW


def test_the_page_works_without_javascript(sign_in, started, recipient, destination):
    """The receive button is rendered disabled for the script to enable; without scripts, a second
    one in <noscript> submits, and the server checks the same rules."""
    client = sign_in(recipient)
    open_link(client, started.token)
    body = client.get(RECEIVE).content.decode()
    noscript = body.split("<noscript>")[1].split("</noscript>")[0]
    assert '<button type="submit" name="action" value="receive">Receive the products</button>' in noscript


def test_a_transfer_waiting_for_the_user_opens_without_the_email(
    client, start, org, owner, recipient, destination
):
    """'Waiting for you' leads to the same receive page as the emailed link, for that address only."""
    product = factories.make_product(org, name="waiting.example")
    started = start(owner, org, product)
    send_transfer_link(actor=owner, transfer=started.transfer, email=recipient.email)
    client.force_login(recipient)
    listing = client.get(reverse("transfers:list", args=[destination.id])).content.decode()
    url = reverse("transfers:receive_waiting", args=[started.transfer.id])
    assert url in listing

    response = client.get(url)
    assert response["Location"] == f"{RECEIVE}?transfer={started.transfer.id}"
    page = client.get(response["Location"]).content.decode()
    assert "waiting.example" in page
    assert Product.objects.get(pk=product.pk).organization == org  # opening changes nothing

    client.force_login(factories.make_user())
    assert client.get(url).status_code == 404
