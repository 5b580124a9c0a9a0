"""The OpenAPI document is valid 3.1 and declares every operation's errors; the docs need no CDN."""

import re

import jsonschema_rs
import pytest
from django.test import Client
from schemathesis.specs.openapi import definitions

from tests.support.api import BASE


@pytest.fixture
def document(db):
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    errors = [str(e) for e in definitions.OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []


def test_every_component_schema_is_valid_json_schema(document):
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_authentication_is_a_bearer_token_or_the_session_cookie(document):
    schemes = document["components"]["securitySchemes"]

    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def test_every_operation_requires_authentication_and_declares_401(document):
    for method, path, operation in _operations(document):
        assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], (method, path)
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], (method, path)


def test_every_error_response_is_the_error_shape_with_a_description(document):
    for method, path, operation in _operations(document):
        errors = {status: r for status, r in operation["responses"].items() if int(status) >= 400}
        assert errors, (method, path)
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert response["description"], (method, path, status)
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {"code", "detail", "fields"}


def test_every_operation_with_input_declares_400_and_with_a_path_id_declares_404(document):
    for method, path, operation in _operations(document):
        if operation.get("parameters") or operation.get("requestBody"):
            assert "400" in operation["responses"], (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)
        if method != "GET":
            assert "403" in operation["responses"], (method, path)  # CSRF for sessions, if not roles


def test_request_bodies_refuse_unknown_fields(document):
    schemas = document["components"]["schemas"]
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        refs = [s["$ref"] for s in schema.get("anyOf", [schema]) if "$ref" in s]  # an optional body: anyOf
        assert refs, (method, path)
        for ref in refs:
            assert schemas[ref.rsplit("/", 1)[1]].get("additionalProperties") is False, (method, path)


def test_no_link_secret_travels_in_a_path_or_a_query(document):
    for method, path, operation in _operations(document):
        names = {p["name"] for p in operation.get("parameters", [])} | set(re.findall(r"{(\w+)}", path))
        assert not names & {"token", "secret", "link"}, (method, path)


def test_lists_answer_items_and_count_with_limit_and_offset(document):
    schemas = document["components"]["schemas"]
    lists = [
        (path, op)
        for method, path, op in _operations(document)
        if method == "GET"
        and "$ref" in op["responses"]["200"]["content"]["application/json"]["schema"]
        and schemas[op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        .get("properties", {})
        .keys()
        >= {"items", "count"}
    ]
    assert any(path.endswith("/transfers") for path, _ in lists)
    for path, op in lists:
        params = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
        assert params["limit"]["maximum"] <= 200, path
        assert "maximum" in params["offset"], path


def test_the_docs_are_served_without_any_cdn(db):
    response = Client().get(f"{BASE}/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)  # not the way back (<a>)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "<script>" not in html  # no inline script: the settings travel as JSON data
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset
