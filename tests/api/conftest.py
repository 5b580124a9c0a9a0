"""An API client speaking JSON with a personal token, and the people of a source Organization."""

import json
from typing import Any

import pytest
from django.test import Client

from handover.accounts.services import create_api_token
from handover.organizations.models import Role
from tests import factories

BASE = "/api/v1"


class ApiClient:
    """Calls /api/v1/ as one user (a Bearer token) or anonymously; answers Django test responses."""

    def __init__(self, user: Any = None):
        self.client = Client()
        self.headers: dict[str, str] = {}
        self.user = user
        if user is not None:
            _, secret = create_api_token(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {secret}"

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None, **headers: str) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(
            BASE + path, data=data, content_type="application/json", headers={**self.headers, **headers}
        )

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = "" if body is None else json.dumps(body)
        return self.client.generic(
            method, BASE + path, data=data, content_type="application/json", headers=self.headers
        )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is `status` in the one error shape, with `code`; returns its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    return body


@pytest.fixture
def api():
    """A factory of API clients: `api(user)` with a token, `api()` anonymous."""
    return ApiClient


@pytest.fixture
def admin(org):
    return factories.add_member(
        org, factories.make_user("admin@example.com", name="Adam Admin"), Role.ADMINISTRATOR
    )


@pytest.fixture
def collaborator(org):
    return factories.add_member(
        org, factories.make_user("collab@example.com", name="Cleo Collab"), Role.COLLABORATOR
    )


@pytest.fixture
def recipient(db):
    return factories.make_user("recipient@example.com", name="Rita Recipient")


@pytest.fixture
def destination(recipient):
    return factories.make_org("Destination GmbH", owner=recipient)


@pytest.fixture
def hosting(org):
    return factories.make_product(org, "web_hosting", name="shop.example")


@pytest.fixture
def domain(org):
    return factories.make_product(org, "domain", name="example.ch")


@pytest.fixture
def started(terms, owner, org, hosting):
    """A pending transfer of `hosting`, started by the owner through the service."""
    from handover.transfers.services import start_transfer

    return start_transfer(
        actor=owner, organization=org, product_ids=[hosting.id], accept_terms=True, acknowledge_warnings=True
    )
