"""The operator admin: every registered model opens for staff, evidence cannot be edited, and a password
an operator sets revokes the user's other credentials as the user's own change does."""

import io
import re

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from handover.accounts.models import ApiToken, User
from handover.accounts.services import authenticate_api_token, create_api_token
from handover.terms.services import publish_conditions
from tests.support import factories

MODELS = [model for model in admin.site._registry if model._meta.app_label not in {"auth", "django_tasks_db"}]


@pytest.fixture
def operator(client, db):
    user = User.objects.create_superuser(email="operator@example.com", password="operator-password")
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_model_lists_for_an_operator(client, operator, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("label", ["audit.AuditEvent", "terms.Acceptance", "transfers.Transfer"])
def test_evidence_cannot_be_added_from_the_admin(client, operator, label):
    app_label, model_name = label.lower().split(".")
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403


def test_customers_cannot_open_the_admin(client, db):
    user = User.objects.create_user(email="customer@example.com", password="customer-password")
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert client.get(response["Location"]).status_code == 403


def test_the_operator_admin_signs_in_only_through_the_products_sign_in(client, db):
    """No password reaches the admin's own form: /admin/login/ sends to allauth's sign-in (second
    factor, throttling), keeping where to go next, whatever the method."""
    User.objects.create_superuser(email="operator@example.com", password="operator-password")
    credentials = {"username": "operator@example.com", "password": "operator-password"}

    opened = client.get(reverse("admin:login"), {"next": "/admin/terms/"})
    posted = client.post(f"{reverse('admin:login')}?next=/admin/terms/", credentials)
    outside = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    for response in (opened, posted):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next=/admin/terms/"
    assert outside["Location"] == f"{reverse('account_login')}?next=/admin/"
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_signed_in_operator_goes_through_the_login_address_to_the_admin(client, operator):
    response = client.get(reverse("admin:login"), {"next": "/admin/terms/"})
    assert (response.status_code, response["Location"]) == (302, "/admin/terms/")
    assert client.get(reverse("admin:password_change"))["Location"] == reverse("account_change_password")


def test_a_version_of_the_general_conditions_shows_its_text_in_every_language(client, operator):
    conditions = publish_conditions(
        version="2026-02",
        title="Conditions",
        body="English text.",
        translations={"de": ("Bedingungen", "Deutscher Text."), "fr": ("Conditions", "Texte français.")},
    )

    listing = client.get(reverse("admin:terms_generalconditions_changelist")).content.decode()
    page = client.get(reverse("admin:terms_generalconditions_change", args=[conditions.pk])).content.decode()

    assert "de, fr" in listing
    assert "English text." in page and "Deutscher Text." in page and "Texte français." in page


def _revoked_and_told(user, secret, run_tasks) -> None:
    """What a new password means whoever sets it (SPEC §6.2): the user's tokens are dead, they are told."""
    assert authenticate_api_token(secret=secret) is None
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    run_tasks()
    [message] = [m for m in mail.outbox if m.subject == "Your Handover password was changed"]
    assert message.to == [user.email]


def test_a_password_an_operator_sets_in_the_admin_revokes_the_users_tokens(client, operator, run_tasks):
    customer = factories.make_user("customer@example.com")
    _token, secret = create_api_token(user=customer, name="ci")
    new = "another correct horse battery"

    response = client.post(
        reverse("admin:auth_user_password_change", args=[customer.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content[:500]
    customer.refresh_from_db()
    assert customer.check_password(new)
    _revoked_and_told(customer, secret, run_tasks)


def test_a_password_an_operator_sets_with_changepassword_revokes_the_users_tokens(db, monkeypatch, run_tasks):
    customer = factories.make_user("customer@example.com")
    _token, secret = create_api_token(user=customer, name="ci")
    new = "another correct horse battery"
    monkeypatch.setattr("getpass.getpass", lambda prompt="": new)
    out = io.StringIO()

    call_command("changepassword", "customer@example.com", stdout=out)

    customer.refresh_from_db()
    assert customer.check_password(new)
    assert "Password changed successfully" in out.getvalue()
    _revoked_and_told(customer, secret, run_tasks)


def test_an_organizations_members_show_in_the_admin_but_change_only_through_the_members_rules(
    client, operator
):
    """A role changed or a member deleted here would skip what the Members page and `handover org
    set-role/remove-member` do (cancel their transfers, end their webhooks, keep a legal representative)."""
    organization = factories.make_org("Source SA", owner=factories.make_user("owner@example.com"))

    page = client.get(reverse("admin:organizations_organization_change", args=[organization.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "owner@example.com" in html
    assert not re.search(r'name="[^"]*-(role|DELETE|user)"', html)
    assert "handover org set-role, org remove-member" in html


@pytest.mark.parametrize(
    ("label", "editable"),
    [
        ("products.Product", r'name="(organization|accesses-\d+-(user|team|level|DELETE))"'),
        ("organizations.Team", r'name="(organization|members)"'),
    ],
)
def test_what_only_a_service_may_change_is_read_only_in_the_admin(client, operator, label, editable):
    """A product changes Organization by a transfer; rights and team members go to members of its
    Organization only, through its pages or the CLI."""
    organization = factories.make_org("Source SA", owner=factories.make_user("owner@example.com"))
    product = factories.make_product(organization, "domain")
    factories.grant(product, organization.memberships.get().user)
    objects = {"products.Product": product, "organizations.Team": factories.make_team(organization)}
    app_label, model_name = label.lower().split(".")

    page = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[objects[label].pk]))

    assert page.status_code == 200
    assert not re.search(editable, page.content.decode())
