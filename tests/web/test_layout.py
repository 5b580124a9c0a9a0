import pytest
from django.urls import reverse

from handover.organizations.models import Role
from tests.support import factories


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
