"""GET /api/v1/organizations/{org}/audit-events."""

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from handover.audit.models import AuditAction
from handover.audit.services import Event, record_event, record_events
from handover.organizations.models import Role
from tests.support import factories

pytestmark = pytest.mark.django_db


bearer = factories.api_headers


def url(org) -> str:
    return f"/api/v1/organizations/{org.id}/audit-events"


def test_lists_events_in_the_api_shape(client, owner, org):
    product = factories.make_product(org, name="shop.example")
    event = record_event(
        actor=owner,
        organization=org,
        action=AuditAction.PRODUCT_ACCESS_GRANTED,
        target=product,
        details={"level": "use"},
    )

    response = client.get(url(org), headers=bearer(owner))

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": str(event.id),
                "created_at": DjangoJSONEncoder().default(event.created_at),
                "action": "product_access:granted",
                "actor_email": owner.email,
                "target_type": "product",
                "target_id": str(product.id),
                "target_label": "shop.example",
                "details": {"level": "use"},
                "ip": None,
            }
        ],
    }


def test_filters_and_paginates(client, owner, org):
    record_events(actor=None, events=[Event(org, AuditAction.PRODUCT_CREATED) for _ in range(4)])
    record_event(actor=owner, organization=org, action=AuditAction.ORGANIZATION_RENAMED, target=org)
    headers = bearer(owner)

    renamed = client.get(url(org), {"action": "organization:renamed"}, headers=headers).json()
    assert renamed["count"] == 1
    assert client.get(url(org), {"actor": "OWNER@"}, headers=headers).json()["count"] == 1
    assert client.get(url(org), {"target_id": str(org.id)}, headers=headers).json()["count"] == 1
    page = client.get(url(org), {"limit": 2, "offset": 0}, headers=headers).json()
    assert (page["count"], len(page["items"])) == (5, 2)


def test_bad_filters_are_400(client, owner, org):
    headers = bearer(owner)
    unknown = client.get(url(org), {"action": "product:eaten"}, headers=headers)
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_audit_action")
    backwards = client.get(url(org), {"since": "2026-03-02", "until": "2026-03-01"}, headers=headers)
    assert (backwards.status_code, backwards.json()["code"]) == (400, "invalid_date_range")
    assert client.get(url(org), {"since": "yesterday"}, headers=headers).status_code == 400


@pytest.mark.parametrize("field", ["since", "until"])
def test_out_of_range_dates_are_refused_with_their_field(client, owner, org, field):
    response = client.get(url(org), {field: "9999-12-31"}, headers=bearer(owner))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {field: "Ensure this value is less than or equal to 9999-12-30."}


def test_collaborators_get_403_and_non_members_404(client, org):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    stranger = factories.make_user()

    forbidden = client.get(url(org), headers=bearer(collaborator))
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "permission_denied")
    assert client.get(url(org), headers=bearer(stranger)).status_code == 404


@pytest.mark.parametrize("rows", [5, 50])
def test_constant_queries(client, owner, org, rows, django_assert_num_queries):
    products = factories.make_products(org, rows)
    record_events(actor=owner, events=[Event(org, AuditAction.PRODUCT_CREATED, p) for p in products])
    headers = bearer(owner)
    client.get(url(org), headers=headers)  # the token's first use records it

    # token, membership (org), membership (selector), count, page
    with django_assert_num_queries(5):
        assert len(client.get(url(org), headers=headers).json()["items"]) == rows
