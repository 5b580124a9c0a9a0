"""Invoices: issuing them, and the pages where an Organization's administrators read them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from handover.audit.models import AuditAction, AuditEvent
from handover.billing.errors import InvalidInvoiceLine, InvoiceNumberTaken, InvoiceWithoutLines
from handover.billing.models import Invoice, InvoiceLine
from handover.billing.services import issue_invoice
from handover.organizations.models import Role
from tests.support import factories

pytestmark = pytest.mark.django_db


# issue_invoice


def test_issue_invoice_creates_lines_and_records_the_event(org):
    hosting = factories.make_product(org, name="shop hosting")

    invoice = issue_invoice(
        organization=org,
        lines=[(hosting, "Hosting — 1 year", "120.00"), (None, "Setup fee", Decimal("15.5"))],
        issued_on=datetime.date(2026, 1, 15),
    )

    assert invoice.organization == org
    assert invoice.issued_on == datetime.date(2026, 1, 15)
    assert invoice.number.startswith("INV-202601-")
    lines = {line.description: (line.product, line.amount) for line in invoice.lines.all()}
    assert lines == {"Hosting — 1 year": (hosting, Decimal("120.00")), "Setup fee": (None, Decimal("15.50"))}
    [event] = AuditEvent.objects.filter(action=AuditAction.INVOICE_ISSUED)
    assert (event.organization, event.actor, event.target_id) == (org, None, str(invoice.id))
    assert event.details == {"number": invoice.number, "total": "135.50", "currency": "CHF", "lines": 2}


def test_issue_invoice_keeps_a_given_number_and_refuses_it_twice(org):
    issue_invoice(organization=org, lines=[(None, "Fee", 1)], number="2026-0001")
    with pytest.raises(InvoiceNumberTaken):
        issue_invoice(organization=org, lines=[(None, "Fee", 1)], number="2026-0001")
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize(
    "line",
    [
        (None, "", "1.00"),
        (None, "x" * 256, "1.00"),
        (None, "Fee", "abc"),
        (None, "Fee", "1.001"),
        (None, "Fee", "NaN"),
    ],
)
def test_issue_invoice_refuses_bad_lines(org, line):
    with pytest.raises(InvalidInvoiceLine) as caught:
        issue_invoice(organization=org, lines=[(None, "Fine", "1"), line])
    assert caught.value.detail.startswith("Line 2:")
    assert not Invoice.objects.exists()
    assert not AuditEvent.objects.exists()


def test_issue_invoice_refuses_a_product_of_another_organization(org, owner):
    elsewhere = factories.make_product(factories.make_org(owner=owner))
    with pytest.raises(InvalidInvoiceLine):
        issue_invoice(organization=org, lines=[(elsewhere, "Hosting", "1")])
    assert not Invoice.objects.exists()


def test_issue_invoice_needs_lines(org):
    with pytest.raises(InvoiceWithoutLines):
        issue_invoice(organization=org, lines=[])


# Pages


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def test_the_invoices_list_shows_number_date_total_and_paid(admin_client, org):
    product = factories.make_product(org)
    paid = factories.make_invoice(org, product, product, number="INV-1")
    paid.paid = True
    paid.save()
    Invoice.objects.create(organization=org, number="INV-EMPTY")
    factories.make_invoice(factories.make_org(), number="INV-ELSEWHERE")

    response = admin_client.get(reverse("billing:invoices", args=[org.id]))

    assert response.status_code == 200
    assert response.context["nav"] == "invoices"
    totals = {i.number: (i.total, i.paid) for i in response.context["page"]}
    assert totals == {"INV-1": (Decimal("240.00"), True), "INV-EMPTY": (Decimal("0"), False)}
    page = response.content.decode()
    assert "240.00 CHF" in page
    assert "INV-ELSEWHERE" not in page


@pytest.mark.parametrize("rows", [5, 50])
def test_the_invoices_list_makes_the_same_queries_for_5_and_50_rows(
    admin_client, org, rows, django_assert_num_queries
):
    products = factories.make_products(org, 3)
    for _ in range(rows):
        factories.make_invoice(org, *products)
    url = reverse("billing:invoices", args=[org.id])
    admin_client.get(url)

    # session, user, membership x2, count, page, sidebar: memberships, pending transfers
    with django_assert_num_queries(8):
        response = admin_client.get(url)
    assert len(response.context["page"]) == rows


def test_an_invoice_shows_its_lines_even_for_products_transferred_away(admin_client, owner, org):
    kept = factories.make_product(org, name="kept.example")
    moved = factories.make_product(org, name="moved.example")
    invoice = factories.make_invoice(org, kept, moved)
    InvoiceLine.objects.create(invoice=invoice, description="Support", amount="10.00")
    moved.organization = factories.make_org("Destination SA")
    moved.save()

    response = admin_client.get(reverse("billing:invoice", args=[org.id, invoice.id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "kept.example" in page
    assert reverse("products:detail", args=[org.id, kept.id]) in page
    assert "moved.example" in page
    assert "transferred to another Organization" in page
    assert reverse("products:detail", args=[org.id, moved.id]) not in page
    assert "Support" in page
    assert "250.00 CHF" in page


def test_the_invoice_page_makes_constant_queries(admin_client, org, django_assert_num_queries):
    invoice = factories.make_invoice(org, *factories.make_products(org, 20))
    url = reverse("billing:invoice", args=[org.id, invoice.id])
    admin_client.get(url)

    # session, user, membership x2, invoice, lines with products, sidebar x2
    with django_assert_num_queries(8):
        assert admin_client.get(url).status_code == 200


def test_the_destination_does_not_see_the_source_invoices(client, org):
    product = factories.make_product(org)
    invoice = factories.make_invoice(org, product)
    destination_admin = factories.make_user()
    destination = factories.make_org(owner=destination_admin)
    product.organization = destination
    product.save()
    client.force_login(destination_admin)

    response = client.get(reverse("billing:invoices", args=[destination.id]))

    assert list(response.context["page"]) == []
    assert client.get(reverse("billing:invoice", args=[destination.id, invoice.id])).status_code == 404
    assert client.get(reverse("billing:invoice", args=[org.id, invoice.id])).status_code == 404


def test_collaborators_may_not_read_invoices(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    invoice = factories.make_invoice(org)
    client.force_login(collaborator)

    assert client.get(reverse("billing:invoices", args=[org.id])).status_code == 403
    assert client.get(reverse("billing:invoice", args=[org.id, invoice.id])).status_code == 403


def test_administrators_may_read_invoices(client, org):
    client.force_login(factories.add_member(org, role=Role.ADMINISTRATOR))
    assert client.get(reverse("billing:invoices", args=[org.id])).status_code == 200


def test_another_organizations_invoice_answers_404(admin_client, owner, org):
    elsewhere = factories.make_invoice(factories.make_org(owner=owner))
    assert admin_client.get(reverse("billing:invoice", args=[org.id, elsewhere.id])).status_code == 404


def test_a_stranger_gets_404_on_every_invoice_page(client, org):
    invoice = factories.make_invoice(org)
    client.force_login(factories.make_user())
    assert client.get(reverse("billing:invoices", args=[org.id])).status_code == 404
    assert client.get(reverse("billing:invoice", args=[org.id, invoice.id])).status_code == 404
