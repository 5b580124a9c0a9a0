"""Who may call what: every operation of the API against every role, and a walk over the routes so
that an operation added without a line here fails the suite.

Roles are relative to the Organizations an operation acts on: the source Organization S of a pending
transfer, and for receiving and completing, the destination D. `legal_representative`,
`administrator` and `collaborator` hold that role in both S and D; `other` is the legal
representative of a third Organization only. A link is a bearer capability, so anyone signed in may
inspect or decline it; receiving it needs an admin role in the destination.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from handover.api import api as ninja_api
from handover.organizations.models import Role
from handover.transfers.services import start_transfer
from tests.support import factories
from tests.support.api import BASE, ApiClient, assert_error
from tests.support.urls import resolver_routes

ROLES = ["anonymous", "collaborator", "other", "administrator", "legal_representative"]


@dataclass(frozen=True)
class Rule:
    call: Callable[[ApiClient, Any], Any]
    expected: dict[str, int]


def admins_only(success: int) -> dict[str, int]:
    return {
        "anonymous": 401,
        "collaborator": 403,
        "other": 404,
        "administrator": success,
        "legal_representative": success,
    }


def anyone_signed_in(success: int) -> dict[str, int]:
    return {role: 401 if role == "anonymous" else success for role in ROLES}


MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/me"): Rule(lambda c, w: c.get("/me"), anyone_signed_in(200)),
    ("GET", "/organizations"): Rule(lambda c, w: c.get("/organizations"), anyone_signed_in(200)),
    ("POST", "/organizations"): Rule(
        lambda c, w: c.post("/organizations", {"name": "New Org", "country": "FR"}), anyone_signed_in(201)
    ),
    ("GET", "/organizations/{org_id}/products"): Rule(
        lambda c, w: c.get(f"/organizations/{w.source.id}/products"),
        # a collaborator sees the products granted to them
        {**admins_only(200), "collaborator": 200},
    ),
    ("GET", "/organizations/{org_id}/invoices"): Rule(
        lambda c, w: c.get(f"/organizations/{w.source.id}/invoices"), admins_only(200)
    ),
    ("GET", "/organizations/{org_id}/audit-events"): Rule(
        lambda c, w: c.get(f"/organizations/{w.source.id}/audit-events"), admins_only(200)
    ),
    ("POST", "/organizations/{org_id}/transfers/preview"): Rule(
        lambda c, w: c.post(
            f"/organizations/{w.source.id}/transfers/preview", {"product_ids": [str(w.free.id)]}
        ),
        admins_only(200),
    ),
    ("POST", "/organizations/{org_id}/transfers"): Rule(
        lambda c, w: c.post(
            f"/organizations/{w.source.id}/transfers",
            {"product_ids": [str(w.free.id)], "accept_terms": True, "acknowledge_warnings": True},
        ),
        admins_only(201),
    ),
    ("GET", "/organizations/{org_id}/transfers"): Rule(
        lambda c, w: c.get(f"/organizations/{w.source.id}/transfers"), admins_only(200)
    ),
    ("GET", "/transfers/{transfer_id}"): Rule(
        lambda c, w: c.get(f"/transfers/{w.transfer.id}"), admins_only(200)
    ),
    ("GET", "/transfers/{transfer_id}/products"): Rule(
        lambda c, w: c.get(f"/transfers/{w.transfer.id}/products"), admins_only(200)
    ),
    ("POST", "/transfers/{transfer_id}/link"): Rule(
        lambda c, w: c.post(f"/transfers/{w.transfer.id}/link"), admins_only(200)
    ),
    ("POST", "/transfers/{transfer_id}/send"): Rule(
        lambda c, w: c.post(f"/transfers/{w.transfer.id}/send", {"email": "someone@example.com"}),
        admins_only(200),
    ),
    ("POST", "/transfers/{transfer_id}/complete"): Rule(
        lambda c, w: c.post(
            f"/transfers/{w.transfer.id}/complete",
            {"destination_organization_id": str(w.destination.id), "accept_terms": True},
        ),
        admins_only(200),
    ),
    ("POST", "/transfers/{transfer_id}/cancel"): Rule(
        lambda c, w: c.post(f"/transfers/{w.transfer.id}/cancel"), admins_only(200)
    ),
    ("POST", "/transfer-links/inspect"): Rule(
        lambda c, w: c.post("/transfer-links/inspect", {"token": w.token}), anyone_signed_in(200)
    ),
    ("POST", "/transfer-links/products"): Rule(
        lambda c, w: c.post("/transfer-links/products", {"token": w.token}), anyone_signed_in(200)
    ),
    ("POST", "/transfer-links/receive"): Rule(
        lambda c, w: c.post(
            "/transfer-links/receive",
            {"token": w.token, "destination_organization_id": str(w.destination.id), "accept_terms": True},
        ),
        admins_only(200),
    ),
    ("POST", "/transfer-links/decline"): Rule(
        lambda c, w: c.post("/transfer-links/decline", {"token": w.token}), anyone_signed_in(200)
    ),
    ("POST", "/organizations/{org_id}/webhooks"): Rule(
        lambda c, w: c.post(
            f"/organizations/{w.source.id}/webhooks",
            {"url": "https://93.184.215.14/hook", "events": ["transfer.completed"]},
        ),
        admins_only(201),
    ),
    ("GET", "/organizations/{org_id}/webhooks"): Rule(
        lambda c, w: c.get(f"/organizations/{w.source.id}/webhooks"), admins_only(200)
    ),
    ("DELETE", "/organizations/{org_id}/webhooks/{webhook_id}"): Rule(
        lambda c, w: c.request("DELETE", f"/organizations/{w.source.id}/webhooks/{w.webhook.id}"),
        admins_only(204),
    ),
    ("POST", "/organizations/{org_id}/webhooks/{webhook_id}/rotate-secret"): Rule(
        lambda c, w: c.post(f"/organizations/{w.source.id}/webhooks/{w.webhook.id}/rotate-secret"),
        admins_only(200),
    ),
    ("GET", "/organizations/{org_id}/webhooks/{webhook_id}/deliveries"): Rule(
        lambda c, w: c.get(f"/organizations/{w.source.id}/webhooks/{w.webhook.id}/deliveries"),
        admins_only(200),
    ),
}


@pytest.fixture
def world(terms, owner, org):
    """S (`org`) with a pending transfer and a free product, D, a third Organization, one user per role."""
    destination = factories.make_org("Destination GmbH", owner=factories.make_user())
    users = {
        "legal_representative": owner,
        "administrator": factories.make_user(name="Ada Admin"),
        "collaborator": factories.make_user(name="Cole Collab"),
        "other": factories.make_user(name="Otto Other"),
    }
    factories.add_member(destination, owner, Role.LEGAL_REPRESENTATIVE)
    for organization in (org, destination):
        factories.add_member(organization, users["administrator"], Role.ADMINISTRATOR)
        factories.add_member(organization, users["collaborator"], Role.COLLABORATOR)
    factories.make_org("Third Ltd", owner=users["other"])
    moving = factories.make_product(org, name="moving.example")
    free = factories.make_product(org, name="free.example")
    factories.grant(free, users["collaborator"])
    started = start_transfer(
        actor=owner, organization=org, product_ids=[moving.id], accept_terms=True, acknowledge_warnings=True
    )
    return SimpleNamespace(
        source=org,
        destination=destination,
        free=free,
        transfer=started.transfer,
        token=started.token,
        users=users,
        webhook=factories.make_webhook(org),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(MATRIX), ids=lambda op: f"{op[0]} {op[1]}")
def test_each_role_gets_the_expected_answer(world, operation, role):
    rule = MATRIX[operation]
    client = ApiClient(None if role == "anonymous" else world.users[role])

    response = rule.call(client, world)

    expected = rule.expected[role]
    if expected >= 400:
        code = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}[expected]
        assert_error(response, expected, code)
    else:
        assert response.status_code == expected, (operation, role, response.content[:300])


def _openapi_operations() -> set[tuple[str, str]]:
    document = Client().get(f"{BASE}/openapi.json").json()
    return {
        (method.upper(), path.removeprefix(BASE))
        for path, item in document["paths"].items()
        for method in item
    }


def test_every_operation_of_the_openapi_document_is_in_the_matrix(db):
    assert _openapi_operations() == set(MATRIX)


def _api_routes() -> set[str]:
    patterns, _, _ = ninja_api.urls
    routes = set()
    for pattern in patterns:
        if pattern.name in {"openapi-json", "openapi-view", "api-root", "unknown"}:
            continue
        routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)))
    return routes


def test_every_route_of_the_url_resolver_is_in_the_matrix(db):
    assert _api_routes() == {path for _, path in MATRIX}


def test_every_route_under_the_api_is_in_the_apis_own_matrix():
    api_routes = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.removeprefix("api/v1/"))
        for route, name in resolver_routes()
        if route.startswith("api/")
        and name not in {"api:openapi-json", "api:openapi-view", "api:api-root", "api:unknown"}
    }
    assert api_routes == {path for _method, path in MATRIX}


def test_the_api_is_the_only_thing_mounted_under_api(db):
    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("api"):
                    yield route, pattern
                else:
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api"):
                yield route, pattern

    mounted = list(walk(get_resolver().url_patterns))
    assert [route for route, _ in mounted] == ["api/v1/"]
    assert mounted[0][1].namespace == "api"
