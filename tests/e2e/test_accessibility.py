"""Accessibility: axe-core finds no serious or critical violation on the pages of the product, at a
desktop width (1280 px) and on a phone (390 x 844), and no page is wider than a phone's screen.

The pages come from Django's URL resolver, as in tests/security/test_tenancy.py: a page added without a
line here fails the suite. The world is the demo's (web.demo.load_demo), seen by Luca, who administers
all three of its Organizations. axe-core is installed from npm at the version pinned in the Makefile
(`make install-test`); it is injected before each page's own scripts, which the CSP leaves alone.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from handover.accounts.models import User
from handover.accounts.services import create_api_token
from handover.billing.models import Invoice
from handover.organizations.models import Membership, Organization, Team
from handover.products.models import Product, ProductAccess
from handover.transfers.services import start_transfer
from handover.web.demo import ALPINE, DEMO_PASSWORD, LUCA, load_demo
from tests.support import factories
from tests.support.browser import TIMEOUT_MS, sign_in_on
from tests.support.racing import FIGURES
from tests.support.urls import resolver_routes, route_parameters

ROUTES = {name: route for route, name in resolver_routes()}
AXE = Path(sys.prefix) / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")

# What a signed-in administrator opens with a GET.
SIGNED_IN_PAGES = [
    "products:list",
    "products:detail",
    "organizations:create",
    "organizations:members",
    "organizations:teams",
    "organizations:settings",
    "billing:invoices",
    "billing:invoice",
    "audit:events",
    "transfers:list",
    "transfers:start",
    "transfers:detail",
    "transfers:receive",
    "transfers:decline",
    "transfers:rotate",
    "transfers:cancel",
    "organizations:member_remove",
    "organizations:leave",
    "organizations:team_delete",
    "organizations:team_member_remove",
    "products:revoke",
    "accounts:token_revoke",
    "accounts:email_remove",
    "webhooks:list",
    "webhooks:deliveries",
    "webhooks:rotate",
    "webhooks:delete",
    "terms:current",
    "accounts:profile",
    "accounts:tokens",
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "account_logout",
    "account_confirm_email",
    "mfa_index",
    "mfa_activate_totp",
]
# What anyone opens signed out.
PUBLIC_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_inactive",
    "terms:current",
]
# Routes that are not pages of their own: actions (POST only), redirects, downloads, and pages that
# only exist in the middle of a flow this walk does not start (a code sent by email, a second factor).
NOT_PAGES = {
    "web:home": "redirects to an Organization",
    "web:mailbox": "the demo's local mailbox, absent with the tests' email backend",
    "web:healthz": "a probe for the load balancer (plain text)",
    "web:readyz": "a probe for the load balancer (plain text)",
    "web:metrics": "Prometheus' figures (plain text, behind a token)",
    "audit:export": "a CSV download",
    "transfers:selection_csv": "a CSV download",
    "transfers:products_csv": "a CSV download",
    "transfers:receive_link": "redirects to transfers:receive",
    "transfers:receive_waiting": "redirects to transfers:receive",
    "account_request_reauthentication_code": "login by code is off",
    "account_confirm_reauthentication_code": "login by code is off",
    "account_confirm_login_code": "login by code is off",
    "account_set_password": "redirects: every account has a password",
    "mfa_authenticate": "the second step of a sign-in with a second factor",
    "mfa_reauthenticate": "redirects without a second factor",
    "mfa_deactivate_totp": "needs an activated second factor",
    "mfa_view_recovery_codes": "needs an activated second factor",
    "mfa_generate_recovery_codes": "needs an activated second factor",
    "mfa_download_recovery_codes": "a download",
    **{
        name: "an action (POST)"
        for name in [
            "organizations:member_add",
            "organizations:member_role",
            "organizations:team_create",
            "organizations:team_member_add",
            "organizations:transfer_lock",
            "products:grant",
            "transfers:send",
            "transfers:complete",
        ]
    },
}

AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations
        .filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target)})`);
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def demo(settings, live_server) -> SimpleNamespace:
    """The demo, and the objects of Luca's pages: Alpine Bakery's (which he administers), among them a
    transfer he starts out of it and whose link he opens to receive it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    luca = User.objects.get(email=LUCA)
    alpine = Organization.objects.get(name=ALPINE)
    incoming = start_transfer(
        actor=luca,
        organization=alpine,
        product_ids=[Product.objects.filter(organization=alpine, type="domain").first().pk],
        accept_terms=True,
        acknowledge_warnings=True,
    )
    token, _secret = create_api_token(user=luca, name="ci")
    right = ProductAccess.objects.filter(product__organization=alpine).first()  # and its product
    kwargs = {
        "org_id": alpine.id,
        "membership_id": Membership.objects.filter(organization=alpine).first().id,
        "team_id": Team.objects.filter(organization=alpine).first().id,
        "user_id": luca.id,
        "product_id": right.product_id,
        "access_id": right.id,
        "invoice_id": Invoice.objects.filter(organization=alpine).first().id,
        "transfer_id": incoming.transfer.id,
        "token_id": token.id,
        "webhook_id": factories.make_webhook(alpine).id,
        "token": incoming.token,
        "key": "unknown-key",
        "uidb36": "1",
    }
    return SimpleNamespace(kwargs=kwargs, base_url=live_server.url)


# The pages that name their object in the query string.
QUERIES = {"accounts:email_remove": f"?email={LUCA}"}


def _url(name: str, kwargs: dict) -> str:
    return reverse(name, kwargs={p: kwargs[p] for p in route_parameters(ROUTES[name])}) + QUERIES.get(
        name, ""
    )


@pytest.fixture
def axe_page(browser, demo) -> Iterator[callable]:
    """`axe_page(width)`: a page at that viewport in a new browser context, with axe-core loaded."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test` (it installs axe-core from npm)")
    contexts = []

    def make(width: str) -> Page:
        context = browser.new_context(base_url=demo.base_url, locale="en-US", viewport=WIDTHS[width])
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _audit(page: Page, path: str) -> list[str]:
    """What is wrong with the page at `path`: axe's serious and critical violations, and any overflow."""
    response = page.goto(path)
    if response is None or response.status != 200 or not page.url.endswith(path):
        return [f"not a page: {response and response.status} at {page.url}"]
    problems = page.evaluate(AXE_RUN)
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"overflow: {overflow} px wider than the window")
    return problems


def test_every_route_is_walked_or_said_not_to_be_a_page():
    pages = {name for route, name in _routes_of_the_product()}
    assert pages == set(SIGNED_IN_PAGES) | set(PUBLIC_PAGES) | set(NOT_PAGES)


def _routes_of_the_product():
    return [(route, name) for name, route in ROUTES.items() if not route.startswith(("admin/", "api/"))]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_no_serious_violation_and_no_overflow_on_any_page(axe_page, demo, width):
    found: dict[str, list[str]] = {}
    page = axe_page(width)
    for name in PUBLIC_PAGES:
        found[f"{name} (signed out)"] = _audit(page, _url(name, demo.kwargs))
    sign_in_on(page, LUCA, DEMO_PASSWORD)
    page.goto(reverse("account_reauthenticate"))  # a fresh password opens the second factor's set-up
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(
        reverse("transfers:receive_link", args=[demo.kwargs["token"]])
    )  # the link puts it in the session
    for name in SIGNED_IN_PAGES:
        found[name] = _audit(page, _url(name, demo.kwargs))

    FIGURES.append(
        f"axe-core {page.evaluate('axe.version')}: {len(found)} pages at {width} "
        f"({WIDTHS[width]['width']} px), {sum(map(len, found.values()))} problems"
    )
    problems = {name: problems for name, problems in found.items() if problems}
    assert problems == {}, "\n".join(f"{name}: {p}" for name, ps in problems.items() for p in ps)
