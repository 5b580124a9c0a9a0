"""GET /api/v1/organizations/{org}/invoices."""

import pytest

from handover.billing.models import Invoice
from handover.organizations.models import Role
from tests.support import factories

pytestmark = pytest.mark.django_db


bearer = factories.api_headers


def url(org) -> str:
    return f"/api/v1/organizations/{org.id}/invoices"


def test_lists_invoices_with_their_totals(client, owner, org):
    products = factories.make_products(org, 2)
    invoice = factories.make_invoice(org, *products, number="INV-7")
    # Newest first; on the same day, by number descending.
    Invoice.objects.create(organization=org, number="INV-EMPTY", issued_on=invoice.issued_on)
    factories.make_invoice(factories.make_org(), number="INV-ELSEWHERE")

    response = client.get(url(org), headers=bearer(owner))

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "items": [
            {
                "id": str(Invoice.objects.get(number="INV-EMPTY").id),
                "number": "INV-EMPTY",
                "issued_on": invoice.issued_on.isoformat(),
                "currency": "CHF",
                "total": "0.00",
                "paid": False,
            },
            {
                "id": str(invoice.id),
                "number": "INV-7",
                "issued_on": invoice.issued_on.isoformat(),
                "currency": "CHF",
                "total": "240.00",
                "paid": False,
            },
        ],
    }


def test_collaborators_get_403_and_strangers_404(client, org):
    factories.make_invoice(org)
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    stranger = factories.make_user()

    forbidden = client.get(url(org), headers=bearer(collaborator))
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    assert client.get(url(org), headers=bearer(stranger)).status_code == 404


@pytest.mark.parametrize("rows", [5, 50])
def test_constant_queries(client, owner, org, rows, django_assert_num_queries):
    product = factories.make_product(org)
    for _ in range(rows):
        factories.make_invoice(org, product)
    headers = bearer(owner)
    client.get(url(org), headers=headers)  # the token's first use records it

    # token, membership (org), membership (selector), count, page
    with django_assert_num_queries(5):
        assert len(client.get(url(org), headers=headers).json()["items"]) == rows
