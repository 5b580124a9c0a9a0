"""After the fact: what just arrived is shown after a receive, the transfer page lists its products
before its actions, the receive page pre-selects the only Organization that qualifies, and the API docs
lead back to the Manager."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from handover.transfers.models import Transfer
from tests.support import factories
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(client):
    def sign_in(user):
        client.force_login(user)
        assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
        return client

    return sign_in


def test_after_a_receive_the_products_page_shows_what_just_arrived(
    fresh, start, org, owner, recipient, destination, hosting, domain
):
    factories.make_product(destination, "domain", name="already-mine.example")
    started = start(owner, org, hosting, domain)
    client = fresh(recipient)
    client.get(reverse("transfers:receive_link", args=[started.token]))

    response = client.post(
        reverse("transfers:receive"),
        {
            "action": "receive",
            "mode": "existing",
            "destination": str(destination.id),
            "accept_terms": "on",
            "transfer": str(started.transfer.id),  # the form names the transfer it shows
        },
    )

    arrived = reverse("products:list", args=[destination.id]) + f"?transfer={started.transfer.id}"
    assert response.status_code == 302 and response["Location"] == arrived
    page = client.get(arrived)
    assertContains(page, "The 2 products were transferred from Source SA to Destination GmbH.")
    assertContains(page, "Just arrived from Source SA: these 2 products.")
    assertContains(page, "shop.example")
    assertContains(page, "example.ch")
    html = page.content.decode()
    assert "already-mine.example" not in html  # only what arrived
    assert f'href="{reverse("products:list", args=[destination.id])}"' in html  # and the way to all
    assert (
        "already-mine.example" in client.get(reverse("products:list", args=[destination.id])).content.decode()
    )


def test_completing_directly_shows_what_just_arrived_too(fresh, start, org, owner, hosting):
    holding = factories.make_org("Owner Holding", owner=owner)
    started = start(owner, org, hosting)
    client = fresh(owner)
    response = client.post(
        reverse("transfers:complete", args=[org.id, started.transfer.id]),
        {"destination": str(holding.id), "accept_terms": "on"},
    )
    assert (
        response["Location"]
        == reverse("products:list", args=[holding.id]) + f"?transfer={started.transfer.id}"
    )
    assertContains(client.get(response["Location"]), "Just arrived from Source SA: this product.")


def test_a_transfer_that_did_not_arrive_here_shows_every_product(client, started, org, owner, hosting):
    client.force_login(owner)
    page = client.get(reverse("products:list", args=[org.id]) + f"?transfer={started.transfer.id}")
    assert page.status_code == 200
    assert "Just arrived" not in page.content.decode()
    page = client.get(reverse("products:list", args=[org.id]) + "?transfer=not-a-uuid")
    assert page.status_code == 200 and "shop.example" in page.content.decode()


def test_the_transfer_page_lists_its_products_before_its_actions(client, started, org, owner):
    client.force_login(owner)
    html = client.get(reverse("transfers:detail", args=[org.id, started.transfer.id])).content.decode()
    assert html.index('id="products-title"') < html.index('id="next-title"')


def test_the_receive_page_preselects_the_only_organization_that_qualifies(
    client, started, recipient, destination
):
    client.force_login(recipient)
    client.get(reverse("transfers:receive_link", args=[started.token]))
    assertContains(
        client.get(reverse("transfers:receive")),
        f'<option value="{destination.id}" selected>Destination GmbH</option>',
        html=True,
    )


def test_with_two_organizations_the_receive_page_preselects_none(client, started, recipient, destination):
    factories.make_org("Second GmbH", owner=recipient)
    client.force_login(recipient)
    client.get(reverse("transfers:receive_link", args=[started.token]))
    html = client.get(reverse("transfers:receive")).content.decode()
    assert f'<option value="{destination.id}" selected>' not in html
    assert Transfer.objects.count() == 1


def test_the_api_docs_lead_back_to_the_manager(client, owner):
    client.force_login(owner)
    page = client.get("/api/v1/docs")
    assertContains(page, f'<a href="{reverse("web:home")}">← Back to the Manager</a>', html=True)
