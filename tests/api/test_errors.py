"""One error shape for every failure, the API's own and the framework's; bad input changes nothing."""

import json
import uuid

import pytest
from django.conf import settings
from django.test import Client

from handover.accounts.services import create_api_token, revoke_api_token
from handover.audit.models import AuditEvent
from handover.transfers import selectors
from handover.transfers.models import Transfer, TransferState
from tests.support import factories
from tests.support.api import BASE, ApiClient, assert_error


def _start_body(*products, **extra):
    return {
        "product_ids": [str(p.id) for p in products],
        "accept_terms": True,
        "acknowledge_warnings": True,
        **extra,
    }


@pytest.fixture
def unchanged(db):
    """Asserts, at the end of the test, that no transfer and no audit event was written."""
    before = (Transfer.objects.count(), AuditEvent.objects.count())
    yield
    assert (Transfer.objects.count(), AuditEvent.objects.count()) == before


# Authentication -------------------------------------------------------------------------------


def test_an_anonymous_call_answers_401_with_www_authenticate(api, org):
    response = api().get(f"/organizations/{org.id}/transfers")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer hov_" + "x" * 5000]
)
def test_an_unknown_token_or_scheme_answers_401(org, header):
    response = Client().get(f"{BASE}/organizations/{org.id}/transfers", headers={"Authorization": header})

    assert_error(response, 401, "not_authenticated")


def test_a_revoked_token_answers_401(owner, org):
    token, secret = create_api_token(user=owner, name="old")
    revoke_api_token(user=owner, token_id=token.id)

    response = Client().get(
        f"{BASE}/organizations/{org.id}/transfers", headers={"Authorization": f"Bearer {secret}"}
    )

    assert_error(response, 401, "not_authenticated")


def test_a_token_of_an_inactive_user_answers_401(owner, org):
    _, secret = create_api_token(user=owner, name="t")
    owner.is_active = False
    owner.save()

    response = Client().get(
        f"{BASE}/organizations/{org.id}/transfers", headers={"Authorization": f"Bearer {secret}"}
    )

    assert_error(response, 401, "not_authenticated")


def test_a_token_records_its_last_use(api, owner, org):
    client = api(owner)

    client.get(f"/organizations/{org.id}/transfers")

    assert owner.api_tokens.get().last_used_at is not None


# Session and CSRF -------------------------------------------------------------------------------


CSRF_SECRET = "k" * 32  # any 32 letters are a well-formed CSRF secret


@pytest.fixture
def browser(owner):
    """The owner's browser: a session, its CSRF cookie, and CSRF checks enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def test_the_session_authenticates_reads_without_a_csrf_token(browser, org):
    response = browser.get(f"{BASE}/organizations/{org.id}/transfers")

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_an_unsafe_session_call_without_the_csrf_token_answers_403_and_changes_nothing(browser, started):
    response = browser.post(f"{BASE}/transfers/{started.transfer.id}/cancel", content_type="application/json")

    assert_error(response, 403, "csrf_failed")
    started.transfer.refresh_from_db()
    assert started.transfer.state == TransferState.PENDING


def test_an_unsafe_session_call_with_the_csrf_token_is_accepted(browser, started):
    response = browser.post(
        f"{BASE}/transfers/{started.transfer.id}/cancel",
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"


def test_a_session_needs_a_recent_sign_in_to_start_a_transfer(browser, org, hosting, terms, unchanged):
    response = browser.post(
        f"{BASE}/organizations/{org.id}/transfers",
        data=json.dumps(_start_body(hosting)),
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert_error(response, 401, "reauthentication_required")


def test_a_session_that_confirmed_its_password_starts_a_transfer(owner, org, hosting, terms):
    client = Client()
    client.force_login(owner)
    confirmed = client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD})
    assert confirmed.status_code == 302

    response = client.post(
        f"{BASE}/organizations/{org.id}/transfers",
        data=json.dumps(_start_body(hosting)),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content


def test_an_api_token_starts_a_transfer_without_re_authentication(api, owner, org, hosting, terms):
    response = api(owner).post(f"/organizations/{org.id}/transfers", _start_body(hosting))

    assert response.status_code == 201


# Malformed input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["{", "not json", '{"product_ids": [}', "\xff\xfe", "[" * 100_000])
def test_malformed_json_answers_400_invalid_json(api, owner, org, hosting, terms, raw, unchanged):
    response = api(owner).post(f"/organizations/{org.id}/transfers", raw=raw)

    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("raw", ["[]", '"text"', "42", "null", ""])
def test_a_body_that_is_not_an_object_answers_400_invalid(api, owner, org, terms, raw, unchanged):
    response = api(owner).post(f"/organizations/{org.id}/transfers", raw=raw)

    assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"accept_terms": "true"}, "accept_terms"),
        ({"accept_terms": 1}, "accept_terms"),
        ({"acknowledge_warnings": None}, "acknowledge_warnings"),
        ({"product_ids": "all"}, "product_ids"),
        ({"product_ids": [42]}, "product_ids.0"),
        ({"product_ids": ["not-a-uuid"]}, "product_ids.0"),
        ({"product_ids": []}, "product_ids"),
        ({"note": 7}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_wrong_types_answer_400_naming_the_field(api, owner, org, hosting, terms, change, field, unchanged):
    response = api(owner).post(f"/organizations/{org.id}/transfers", _start_body(hosting, **change))

    body = assert_error(response, 400, "invalid")
    assert field in body["fields"], body


def test_unknown_fields_are_refused_not_ignored(api, owner, org, hosting, terms, unchanged):
    response = api(owner).post(
        f"/organizations/{org.id}/transfers", _start_body(hosting, state="completed", created_by="x")
    )

    body = assert_error(response, 400, "invalid")
    assert {"state", "created_by"} <= set(body["fields"])


def test_unknown_nested_fields_are_refused(api, recipient, started, unchanged):
    response = api(recipient).post(
        "/transfer-links/receive",
        {"token": started.token, "new_organization": {"name": "New", "country": "FR"}, "accept_terms": True},
    )

    body = assert_error(response, 400, "invalid")
    assert "new_organization.country" in body["fields"]


def test_a_huge_body_answers_413(api, owner, org, terms, unchanged):
    ids = [str(uuid.uuid4()) for _ in range(70_000)]  # about 2.8 MB of JSON

    response = api(owner).post(f"/organizations/{org.id}/transfers", _start_body(product_ids=ids))

    assert_error(response, 413, "too_large")


def test_more_products_than_a_transfer_holds_answer_400(api, owner, org, terms, unchanged):
    ids = [str(uuid.uuid4()) for _ in range(settings.HANDOVER_MAX_PRODUCTS_PER_TRANSFER + 1)]

    response = api(owner).post(
        f"/organizations/{org.id}/transfers",
        {"product_ids": ids, "accept_terms": True, "acknowledge_warnings": True},
    )

    assert "product_ids" in assert_error(response, 400, "invalid")["fields"]


@pytest.mark.parametrize("path", ["/transfers/42", "/transfers/not-a-uuid", "/organizations/1/transfers"])
def test_an_id_in_the_path_that_is_not_a_uuid_is_not_found(api, owner, path):
    """As the API's description promises for every path with an id: 404, like an unknown id."""
    assert_error(api(owner).get(path), 404, "not_found")


def test_head_answers_every_get_operation_as_get_does_without_a_body(api, owner, org):
    client = api(owner)
    paths = [path for path, item in client.get("/openapi.json").json()["paths"].items() if "get" in item]
    assert len(paths) >= 6
    for template in paths:
        path = template.replace("{org_id}", str(org.id)).replace("{transfer_id}", str(uuid.uuid4()))
        got, head = client.get(path), client.request("HEAD", path)
        assert (head.status_code, head["Content-Type"]) == (got.status_code, got["Content-Type"]), path
        assert head.content == b""
        assert int(head["Content-Length"]) == len(got.content), path


@pytest.mark.parametrize(
    "path", ["/nothing", "/transfers/", "/transfers/a/b/c", f"/organizations/{uuid.uuid4()}/nothing"]
)
def test_an_unknown_path_answers_404_in_the_error_shape(api, owner, path):
    assert_error(api(owner).get(path), 404, "not_found")


def test_an_unsupported_method_answers_405_with_allow(api, owner, org):
    response = api(owner).request("DELETE", f"/organizations/{org.id}/transfers")

    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@pytest.mark.parametrize(
    "page", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": 2**63}, {"limit": "x"}]
)
def test_pagination_out_of_range_answers_400(api, owner, org, page):
    response = api(owner).get(f"/organizations/{org.id}/transfers", page)

    assert_error(response, 400, "invalid")


def test_an_unknown_state_filter_answers_400(api, owner, org):
    response = api(owner).get(f"/organizations/{org.id}/transfers", {"state": "lost"})

    assert "state" in assert_error(response, 400, "invalid")["fields"]


@pytest.mark.parametrize(
    ("path", "empty", "free_text"),
    [("transfers", "direction", None), ("products", "status", "q"), ("audit-events", "until", "actor")],
)
def test_a_filter_given_empty_is_refused_unless_it_is_free_text(api, owner, org, path, empty, free_text):
    client = api(owner)
    url = f"/organizations/{org.id}/{path}"

    assert set(assert_error(client.get(url, {empty: ""}), 400, "invalid")["fields"]) == {empty}
    if free_text:
        assert client.get(url, {free_text: ""}).status_code == 200


def test_an_unexpected_failure_answers_500_in_the_error_shape(owner, org, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("handover.transfers.api.transfers_for_organization", broken)
    client = ApiClient(owner)
    client.client.raise_request_exception = False

    response = client.get(f"/organizations/{org.id}/transfers")

    body = assert_error(response, 500, "server_error")
    assert "a bug" not in body["detail"]
    assert selectors.transfers_for_organization is not broken
