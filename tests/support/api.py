"""An API client speaking JSON with a personal token, and the check of the one error shape."""

import json
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import api_headers

BASE = "/api/v1"


class ApiClient:
    """Calls /api/v1/ as one user (a Bearer token) or anonymously; answers Django test responses."""

    def __init__(self, user: Any = None):
        self.client = Client()
        self.headers: dict[str, str] = {} if user is None else api_headers(user)
        self.user = user

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


def start_body(*products: Any, **extra: Any) -> dict[str, Any]:
    """The body that starts a transfer of `products` with the usual acknowledgements."""
    return {
        "product_ids": [str(p.id) for p in products],
        "accept_terms": True,
        "acknowledge_warnings": True,
        **extra,
    }


def receive_body(token: str, destination: Any, **extra: Any) -> dict[str, Any]:
    """The body that receives a link's products into `destination`."""
    return {"token": token, "destination_organization_id": str(destination.id), "accept_terms": True, **extra}


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
