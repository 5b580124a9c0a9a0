import pytest
from django.urls import reverse


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
