"""The Content-Security-Policy breaks nothing: Chromium reports no violation on the pages, and the API
docs (Swagger UI, served from ninja's own static files) still render their operations.

Here rather than in tests/security/ because the browser tests live in this folder (marked e2e and slow,
on transactional_db) and share the session's one browser: Playwright's sync API allows one per
process. See docs/security.md."""

import pytest
from django.urls import reverse

from tests.support import factories


@pytest.fixture
def violations(page):
    """The console messages in which Chromium reports a blocked script, style, frame or image."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def test_the_api_docs_render_under_the_policy(page, violations):
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 15  # every operation of SPEC §4
    assert violations == []


def test_the_pages_run_under_the_policy(page, sign_in, violations, terms):
    owner = factories.make_user("csp@example.com")
    organization = factories.make_org("Policy SA", owner=owner)
    factories.make_products(organization, 3)
    sign_in(owner.email)
    for path in [
        reverse("products:list", args=[organization.id]),
        reverse("transfers:list", args=[organization.id]),
        reverse("transfers:start", args=[organization.id]),
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert violations == []
