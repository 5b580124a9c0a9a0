"""The demo data set: idempotent, covering every role and product type, with working sign-ins."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from handover.accounts.models import User
from handover.audit.models import AuditEvent
from handover.billing.models import Invoice, InvoiceLine
from handover.organizations.models import Membership, Organization, Role, Team
from handover.products.catalogue import product_types
from handover.products.models import AccessLevel, Product, ProductAccess, ProductStatus
from handover.terms.models import GeneralConditions
from handover.terms.selectors import current_conditions
from handover.transfers.models import Transfer, TransferItem, TransferState
from handover.web.demo import ATELIER, CLAIRE, DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.django_db

COUNTED = (
    User,
    EmailAddress,
    Organization,
    Membership,
    Team,
    Product,
    ProductAccess,
    Invoice,
    InvoiceLine,
    GeneralConditions,
    Transfer,
    TransferItem,
    AuditEvent,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo hashes six passwords; a fast hasher keeps each test from spending seconds on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> dict[str, int]:
    rows = {model.__name__: model.objects.count() for model in COUNTED}
    rows["links"] = Product.linked.through.objects.count()
    rows["team members"] = Team.members.through.objects.count()
    return rows


def run_demo_command() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_loading_the_demo_twice_creates_nothing_new():
    assert load_demo() is True
    first = counts()
    assert load_demo() is False
    assert "already loaded" in run_demo_command()
    assert counts() == first


def test_the_demo_has_three_organizations_and_every_role():
    load_demo()
    assert Organization.objects.count() >= 3
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    admin_twice = (
        Membership.objects.filter(role=Role.ADMINISTRATOR)
        .values("user")
        .annotate(n=Count("organization"))
        .filter(n__gte=2)
    )
    assert admin_twice.exists()
    assert User.objects.count() >= 5


def test_the_demo_has_every_product_type_and_status():
    load_demo()
    assert Product.objects.count() >= 25
    assert set(Product.objects.values_list("type", flat=True)) == set(product_types())
    assert set(Product.objects.values_list("status", flat=True)) == set(ProductStatus.values)
    assert Product.objects.exclude(service_ref="").count() == Product.objects.count()


def test_a_kdrive_has_users_with_use_and_manage_rights():
    load_demo()
    levels = {
        product.pk: set(product.accesses.filter(user__isnull=False).values_list("level", flat=True))
        for product in Product.objects.filter(type="kdrive")
    }
    assert {AccessLevel.USE, AccessLevel.MANAGE} in levels.values()


def test_a_domain_is_linked_with_its_mail_service_hosting_and_certificate():
    load_demo()
    linked_types = [
        set(domain.linked.values_list("type", flat=True)) for domain in Product.objects.filter(type="domain")
    ]
    assert {"mail_service", "web_hosting", "ssl_certificate"} in linked_types


def test_teams_have_members_and_product_rights():
    load_demo()
    teams = Team.objects.annotate(members_count=Count("members", distinct=True))
    assert teams.filter(members_count__gt=0).exists()
    assert ProductAccess.objects.filter(team__isnull=False).exists()


def test_every_organization_has_invoices_whose_lines_name_its_products():
    load_demo()
    for organization in Organization.objects.all():
        lines = InvoiceLine.objects.filter(invoice__organization=organization)
        assert lines.filter(product__organization=organization).exists(), organization
    assert InvoiceLine.objects.filter(product__isnull=True).exists()  # a line for a service, not a product


def test_the_general_conditions_are_published():
    load_demo()
    assert current_conditions().body


def test_a_transfer_is_pending_with_its_link_sent_to_another_organizations_legal_representative():
    load_demo()
    transfer = Transfer.objects.get(state=TransferState.PENDING)
    assert transfer.source_organization.name == ATELIER
    assert transfer.bound_email == CLAIRE
    assert transfer.items.count() == 1


def test_the_demo_changes_are_in_the_audit_logs_without_an_actor():
    load_demo()
    for organization in Organization.objects.all():
        assert AuditEvent.objects.filter(organization=organization, action="product:created").exists()
    assert AuditEvent.objects.filter(action="product:created", actor__isnull=False).count() == 0


def test_every_printed_sign_in_signs_in_at_once(client):
    output = run_demo_command()
    password = re.search(r"password of every one is (\S+?)\):", output).group(1)
    emails = re.findall(r"^\s+(\S+@\S+)\s", output, flags=re.MULTILINE)
    assert password == DEMO_PASSWORD
    assert len(emails) == User.objects.count()
    for email in emails:
        response = client.post(reverse("account_login"), {"login": email, "password": password})
        # Straight in: no "verify your email" stop, since demo addresses are verified.
        assert response.status_code == 302, email
        assert response["Location"] == reverse("web:home"), email
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
        client.logout()
