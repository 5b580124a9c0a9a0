"""GET /api/v1/me and GET, POST /api/v1/organizations."""

import pytest
from django.urls import reverse

from handover.accounts.services import create_api_token
from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership, Organization, Role
from tests.support import factories

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
ORGANIZATIONS = "/api/v1/organizations"


@pytest.fixture
def bearer(owner):
    _token, secret = create_api_token(user=owner, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_me_answers_the_user_and_their_memberships(client, owner, org, bearer):
    other = factories.make_org("Another SA")
    factories.add_member(other, owner, role=Role.COLLABORATOR)
    response = client.get(ME, **bearer)
    assert response.status_code == 200
    assert response.json() == {
        "id": str(owner.id),
        "email": "owner@example.com",
        "name": "Olivia Owner",
        "language": "",
        "memberships": [
            {"organization": {"id": str(other.id), "name": "Another SA"}, "role": "collaborator"},
            {"organization": {"id": str(org.id), "name": "Source SA"}, "role": "legal_representative"},
        ],
    }


def test_me_works_with_the_session_too(client, owner, org):
    client.force_login(owner)
    assert client.get(ME).json()["email"] == owner.email


@pytest.mark.parametrize(
    "headers", [{}, {"HTTP_AUTHORIZATION": "Bearer hov_nope"}, {"HTTP_AUTHORIZATION": "Basic x"}]
)
def test_without_credentials_the_api_answers_401(client, db, headers):
    for url in (ME, ORGANIZATIONS):
        response = client.get(url, **headers)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert client.post(ORGANIZATIONS, {"name": "X"}, content_type="application/json").status_code == 401
    assert not Organization.objects.exists()


def test_listing_my_organizations_is_paginated(client, owner, org, bearer):
    for i in range(3):
        factories.add_member(factories.make_org(f"Org {i}"), owner, role=Role.ADMINISTRATOR)
    factories.make_org("Not mine", owner=factories.make_user())
    response = client.get(ORGANIZATIONS, {"limit": 2, "offset": 1}, **bearer)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [item["name"] for item in body["items"]] == ["Org 1", "Org 2"]
    assert body["items"][0]["role"] == "administrator"
    assert set(body["items"][0]) == {"id", "name", "country", "transfers_locked", "created_at", "role"}


def test_listing_makes_as_many_queries_for_50_organizations_as_for_5(
    client, owner, bearer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(5):
        factories.make_org(f"A{i}", owner=owner)
    with CaptureQueriesContext(connection) as few:
        client.get(ORGANIZATIONS, {"limit": 100}, **bearer)
    for i in range(45):
        factories.make_org(f"B{i}", owner=owner)
    with django_assert_max_num_queries(len(few)):
        assert client.get(ORGANIZATIONS, {"limit": 100}, **bearer).json()["count"] == 50


def test_creating_an_organization_makes_me_its_legal_representative(client, owner, bearer):
    response = client.post(
        ORGANIZATIONS, {"name": "Made by API", "country": "it"}, content_type="application/json", **bearer
    )
    assert response.status_code == 201
    body = response.json()
    organization = Organization.objects.get(pk=body["id"])
    assert body["name"] == "Made by API"
    assert body["country"] == "IT"
    assert body["role"] == "legal_representative"
    assert body["transfers_locked"] is False
    assert Membership.objects.get(organization=organization).user == owner
    assert AuditEvent.objects.filter(
        organization=organization, action=AuditAction.ORGANIZATION_CREATED
    ).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 151},
        {"name": "Line\nbreak"},
        {"name": 42},
        {"name": "Ok", "country": "CHE"},
        {"name": "Ok", "owner": "someone"},
    ],
)
def test_bad_input_is_a_400_and_creates_nothing(client, owner, bearer, payload):
    response = client.post(ORGANIZATIONS, payload, content_type="application/json", **bearer)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "invalid_name"}
    assert not Organization.objects.exists()


def test_creating_with_the_session_needs_the_csrf_token(owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(ORGANIZATIONS, {"name": "X"}, content_type="application/json")
    assert response.status_code == 403
    assert not Organization.objects.exists()
    client.get(reverse("accounts:profile"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        ORGANIZATIONS, {"name": "X"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


def test_the_endpoints_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/organizations"]) == {"get", "post"}
    assert "get" in paths["/api/v1/me"]
