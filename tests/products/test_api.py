"""GET /api/v1/organizations/{org}/products."""

import datetime

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from handover.organizations.models import Role
from handover.products.models import AccessLevel, ProductStatus
from tests.support import factories

pytestmark = pytest.mark.django_db


bearer = factories.api_headers


def url(org) -> str:
    return f"/api/v1/organizations/{org.id}/products"


def test_lists_the_products_in_the_api_shape(client, owner, org):
    product = factories.make_product(org, "kdrive", name="Team drive")
    product.renews_on = datetime.date(2027, 5, 1)
    product.save()
    transfer = factories.make_pending_transfer(org, owner, product)

    response = client.get(url(org), headers=bearer(owner))

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": str(product.id),
                "name": "Team drive",
                "type": "kdrive",
                "type_label": "kDrive",
                "status": "active",
                "transferable": True,
                "created_at": DjangoJSONEncoder().default(product.created_at),
                "renews_on": "2027-05-01",
                "pending_transfer_id": str(transfer.id),
            }
        ],
    }


def test_filters_by_type_transferable_status_and_q(client, owner, org):
    factories.make_product(org, "domain", name="shop.example")
    factories.make_product(org, "domain", name="old.example", status=ProductStatus.EXPIRED)
    factories.make_product(org, "ksuite", name="Office")
    headers = bearer(owner)

    def names(**params) -> list[str]:
        response = client.get(url(org), params, headers=headers)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names(type="domain") == ["old.example", "shop.example"]
    assert names(transferable="true") == ["shop.example"]
    assert names(transferable="false") == ["Office", "old.example"]
    assert names(status="expired") == ["old.example"]
    assert names(q="SHOP") == ["shop.example"]


def test_paginates_with_limit_and_offset(client, owner, org):
    factories.make_products(org, 7)
    response = client.get(url(org), {"limit": 3, "offset": 6}, headers=bearer(owner))
    body = response.json()
    assert body["count"] == 7
    assert len(body["items"]) == 1


def test_an_unknown_type_is_a_clear_400(client, owner, org):
    response = client.get(url(org), {"type": "toaster"}, headers=bearer(owner))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_product_type"
    assert "web_hosting" in body["detail"]


def test_a_bad_status_is_a_400(client, owner, org):
    response = client.get(url(org), {"status": "gone"}, headers=bearer(owner))
    assert response.status_code == 400


def test_a_collaborator_lists_only_what_was_shared(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    shared = factories.make_product(org, name="shared")
    factories.make_product(org, name="hidden")
    factories.grant(shared, factories.make_team(org, collaborator), AccessLevel.USE)

    response = client.get(url(org), headers=bearer(collaborator))

    assert [item["name"] for item in response.json()["items"]] == ["shared"]


def test_a_non_member_gets_404_and_an_anonymous_caller_401(client, org):
    factories.make_product(org)
    stranger = factories.make_user()
    factories.make_org(owner=stranger)

    response = client.get(url(org), headers=bearer(stranger))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(url(org)).status_code == 401


@pytest.mark.parametrize("rows", [5, 50])
def test_constant_queries(client, owner, org, rows, django_assert_num_queries):
    factories.make_products(org, rows)
    headers = bearer(owner)
    client.get(url(org), headers=headers)

    # token, membership (org), membership (selector), count, page
    with django_assert_num_queries(5):
        assert len(client.get(url(org), headers=headers).json()["items"]) == rows
