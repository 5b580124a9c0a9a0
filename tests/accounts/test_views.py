"""The profile and token pages, and allauth's sign-up, verification and sign-in in the product's layout."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from handover.accounts.models import ApiToken, User
from handover.accounts.services import create_api_token
from handover.hashing import hash_secret
from handover.organizations.models import Membership, Role
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_the_account_pages_require_signing_in(client):
    token_id = "00000000-0000-0000-0000-000000000000"
    for method, url in (
        ("get", reverse("accounts:profile")),
        ("get", reverse("accounts:tokens")),
        ("post", reverse("accounts:tokens")),
        ("post", reverse("accounts:token_revoke", args=[token_id])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_profile_links_to_security_pages(client, owner, org):
    client.force_login(owner)
    content = client.get(reverse("accounts:profile")).content.decode()
    for name in ("account_email", "account_change_password", "mfa_index", "accounts:tokens"):
        assert f'href="{reverse(name)}"' in content
    assert "Source SA" in content


def test_an_account_without_a_password_is_offered_to_choose_one(client):
    user = factories.make_user()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    assert (
        f'href="{reverse("account_set_password")}"'
        in client.get(reverse("accounts:profile")).content.decode()
    )


def test_saving_the_profile_changes_name_and_language(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:profile"), {"name": "Olivia O.", "language": "fr"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    owner.refresh_from_db()
    assert (owner.name, owner.language) == ("Olivia O.", "fr")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="fr">' in page


def test_a_bad_profile_is_refused_with_a_400(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:profile"), {"name": "x", "language": "klingon"})
    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.name == "Olivia Owner"


def test_a_new_token_is_shown_once_then_only_its_prefix(client, owner):
    client.force_login(owner)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})  # a token needs it
    response = client.post(reverse("accounts:tokens"), {"name": "CI"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'value="(hov_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=owner)
    assert token.token_hash == hash_secret(secret)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in page
    assert token.prefix in page
    assert "Never" in page


def test_an_unnamed_token_is_refused(client, owner):
    client.force_login(owner)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})  # a token needs it
    assert client.post(reverse("accounts:tokens"), {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_a_token(client, owner):
    token, _secret = create_api_token(user=owner, name="CI")
    client.force_login(owner)
    response = client.post(reverse("accounts:token_revoke", args=[token.id]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(reverse("accounts:tokens")).content.decode()
    assert client.post(reverse("accounts:token_revoke", args=[token.id])).status_code == 404


def test_someone_elses_token_is_not_found(client, owner):
    token, _secret = create_api_token(user=owner, name="CI")
    client.force_login(factories.make_user())
    assert client.post(reverse("accounts:token_revoke", args=[token.id])).status_code == 404
    assert token.prefix not in client.get(reverse("accounts:tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_makes_as_many_queries_for_50_tokens_as_for_5(
    client, owner, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    for i in range(5):
        create_api_token(user=owner, name=f"t{i}")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:tokens"))
    for i in range(45):
        create_api_token(user=owner, name=f"u{i}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("accounts:tokens"))
    assert response.content.decode().count("Revoke the token") == 50


# Sign-up, email verification and sign-in (allauth) ---------------------------------------------


def test_the_sign_in_and_sign_up_pages_use_the_products_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        content = client.get(reverse(name)).content.decode()
        assert 'class="brand">Handover' in content, name
        assert "web/handover.css" in content
        assert "Menu:" not in content  # allauth's own bare layout is not used


def test_signing_up_verifying_the_email_and_signing_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Sam@Example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "name": "Sam Signup",
            "organization_name": "Sam's Shop",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="sam@example.com")
    assert user.name == "Sam Signup"
    membership = Membership.objects.select_related("organization").get(user=user)
    assert membership.role == Role.LEGAL_REPRESENTATIVE
    assert membership.organization.name == "Sam's Shop"

    # Not signed in until the address is verified.
    assert client.get(reverse("web:home")).status_code == 302
    assert not client.login(email="sam@example.com", password="x")
    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    confirm_url = re.search(r"http://[^/]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    assert "Confirm" in client.get(confirm_url).content.decode()  # GET changes nothing
    response = client.post(confirm_url)
    assert response.status_code == 302
    response = client.get(reverse("web:home"))
    assert response["Location"] == reverse("products:list", args=[membership.organization_id])

    client.post(reverse("account_logout"))
    assert client.get(reverse("web:home")).status_code == 302
    response = client.post(
        reverse("account_login"), {"login": "sam@example.com", "password": "a long pass phrase"}
    )
    assert response.status_code == 302
    assert client.get(reverse("web:home"))["Location"] == reverse(
        "products:list", args=[membership.organization_id]
    )


def test_signing_up_without_an_organization_name_uses_the_persons_name(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "sam@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "name": "Sam",
        },
    )
    assert Membership.objects.get(user__email="sam@example.com").organization.name == "Sam"


def test_a_failed_sign_up_creates_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "sam@example.com", "password1": "short", "password2": "other", "name": "Sam"},
    )
    assert response.status_code == 200
    assert 'class="brand">Handover' in response.content.decode()
    assert not User.objects.exists()


def test_allauths_account_pages_sit_in_the_managers_shell_when_signed_in(client, owner, org):
    client.force_login(owner)
    for name in ("account_email", "account_change_password", "mfa_index"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        content = response.content.decode()
        assert 'class="sidebar"' in content, name
        assert f'href="{reverse("accounts:profile")}"' in content
