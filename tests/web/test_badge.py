"""The recipient is told: the transfers icon is on every page, its badge counts the transfers waiting
for the user (sent to one of their verified addresses) as well as the Organization's outgoing ones, and
the products page announces the products waiting, with a link to them. One query for all of it."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from handover.transfers.services import send_transfer_link
from tests.support import factories

pytestmark = pytest.mark.django_db

PRODUCTS_PAGE_QUERIES = 7  # session, user, membership, memberships, badge, count, page of products
PROFILE_PAGE_QUERIES = 4  # session, user, memberships, badge


def badge(html: str) -> str | None:
    """The badge's figure, or None; and the icon must be there either way."""
    assert 'class="transfers-icon' in html, "the transfers icon is on the page"
    found = re.search(r'<span class="badge"[^>]*>(\d+)</span>', html)
    return found.group(1) if found else None


@pytest.fixture
def waiting(start, org, owner, recipient, destination, hosting, domain):
    """Two products sent to the recipient's address, out of the owner's Organization."""
    started = start(owner, org, hosting, domain)
    send_transfer_link(actor=owner, transfer=started.transfer, email=recipient.email)
    return started.transfer


def test_the_badge_counts_the_transfers_waiting_for_the_recipient_on_every_page(
    client, waiting, recipient, destination
):
    client.force_login(recipient)
    for url in [
        reverse("products:list", args=[destination.id]),
        reverse("accounts:profile"),
        reverse("accounts:tokens"),
        reverse("account_email"),
    ]:
        html = client.get(url).content.decode()
        assert badge(html) == "1", url
        assert "1 transfer waiting or pending" in html


def test_outside_an_organization_the_icon_leads_to_the_transfers_of_the_one_used_last(
    client, waiting, recipient, destination
):
    client.force_login(recipient)
    client.get(reverse("products:list", args=[destination.id]))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f'class="transfers-icon" href="{reverse("transfers:list", args=[destination.id])}"' in html


def test_the_badge_adds_the_outgoing_transfers_of_the_organization(client, waiting, owner, org, recipient):
    factories.add_member(org, recipient)  # the recipient is also an administrator of the source
    client.force_login(recipient)
    assert badge(client.get(reverse("products:list", args=[org.id])).content.decode()) == "1"  # the same one
    client.force_login(owner)
    assert badge(client.get(reverse("products:list", args=[org.id])).content.decode()) == "1"
    assert badge(client.get(reverse("accounts:profile")).content.decode()) is None  # nothing for her


def test_a_transfer_to_an_unverified_address_is_not_counted(client, waiting, recipient, destination):
    recipient.emailaddress_set.update(verified=False)
    client.force_login(recipient)
    assert badge(client.get(reverse("products:list", args=[destination.id])).content.decode()) is None


def test_the_products_page_announces_the_products_waiting_with_a_link(
    client, waiting, recipient, destination
):
    client.force_login(recipient)
    html = client.get(reverse("products:list", args=[destination.id])).content.decode()
    assert "2 products are waiting for you." in html
    link = reverse("transfers:list", args=[destination.id]) + "#waiting-title"
    assert f'<a href="{escape(link)}">Review and receive them</a>' in html
    assert "This Organization holds no product yet." in html  # the empty state, announced above it


def test_the_products_page_says_nothing_when_nothing_waits(client, owner, org):
    client.force_login(owner)
    assert "waiting for you" not in client.get(reverse("products:list", args=[org.id])).content.decode()


@pytest.mark.parametrize("transfers", [1, 8])
def test_the_badge_and_the_announcement_cost_one_query_whatever_waits(
    client, start, org, owner, recipient, destination, transfers, django_assert_num_queries
):
    for _ in range(transfers):
        started = start(owner, org, factories.make_product(org))
        send_transfer_link(actor=owner, transfer=started.transfer, email=recipient.email)
    client.force_login(recipient)
    client.get(reverse("products:list", args=[destination.id]))  # the session's first page of it
    with django_assert_num_queries(PRODUCTS_PAGE_QUERIES):
        html = client.get(reverse("products:list", args=[destination.id])).content.decode()
    assert badge(html) == str(transfers)
    with django_assert_num_queries(PROFILE_PAGE_QUERIES):
        assert badge(client.get(reverse("accounts:profile")).content.decode()) == str(transfers)
