import pytest
from django.test import Client
from django.urls import reverse

from handover.organizations.models import Membership, Role
from tests.support import factories
from tests.support.factories import PASSWORD


def test_home_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_home_opens_the_first_organization_of_a_member(client, owner, org):
    client.force_login(owner)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("products:list", args=[org.id])


@pytest.mark.django_db
def test_the_sidebar_offers_collaborators_only_what_they_may_open(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    client.force_login(collaborator)
    page = client.get(reverse("products:list", args=[org.id])).content.decode()
    assert reverse("products:list", args=[org.id]) in page
    assert reverse("billing:invoices", args=[org.id]) not in page
    assert reverse("audit:events", args=[org.id]) not in page


def _sign_in(email: str) -> Client:
    """A new browser (a session of its own) signed in through the sign-in form."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _lands_in(client: Client) -> str:
    return client.get(reverse("web:home"))["Location"]


@pytest.mark.django_db
def test_signing_in_lands_in_the_organization_used_last_on_any_device(owner, org):
    other = factories.make_org("Another SA", owner=owner)  # before "Source SA" by name
    laptop = _sign_in(owner.email)
    assert _lands_in(laptop) == reverse("products:list", args=[other.id])  # never used: the first by name

    laptop.get(reverse("organizations:members", args=[org.id]))
    phone = _sign_in(owner.email)
    assert _lands_in(phone) == reverse("products:list", args=[org.id])

    phone.get(reverse("products:list", args=[other.id]))
    # Each open session stays where it was last used; a new sign-in lands where the user was last.
    assert _lands_in(laptop) == reverse("products:list", args=[org.id])
    assert _lands_in(_sign_in(owner.email)) == reverse("products:list", args=[other.id])


@pytest.mark.django_db
def test_an_organization_left_is_not_opened_again(client, owner, org):
    other = factories.make_org("Another SA", owner=factories.make_user())
    factories.add_member(other, owner, Role.ADMINISTRATOR)
    # The owner used the other Organization last, then was removed from it.
    client.force_login(owner)
    client.get(reverse("products:list", args=[other.id]))
    Membership.objects.filter(user=owner, organization=other).delete()

    assert _lands_in(client) == reverse("products:list", args=[org.id])
    assert _lands_in(_sign_in(owner.email)) == reverse("products:list", args=[org.id])


@pytest.mark.django_db
def test_switching_organization_is_written_once_not_on_every_page(client, owner, org):
    client.force_login(owner)
    client.get(reverse("products:list", args=[org.id]))
    used = Membership.objects.get(user=owner, organization=org).last_used_at
    client.get(reverse("organizations:members", args=[org.id]))
    assert Membership.objects.get(user=owner, organization=org).last_used_at == used
