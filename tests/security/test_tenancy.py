"""Tenancy (SPEC §5, ASVS 5.0 8.2.1-8.2.3, 8.4.1): every page, for every role, answers as it should, and
an object of another Organization answers 404 wherever its id is put. CSRF (ASVS 3.5.1-3.5.3): no
state-changing request is accepted without its token.

The walks start from Django's URL resolver: a page added without a line in PAGES fails the suite. The
API's own matrix (every OpenAPI operation and every route under /api/v1/ x every role) is
tests/api/test_permissions.py; here it is only checked that session calls need the CSRF token.

Roles are relative to the source Organization S: its legal representative, an administrator, a
collaborator (granted one product), a member of another Organization O only (`other`), and anonymous.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from handover.accounts.services import create_api_token
from handover.organizations.models import Membership, Role
from handover.transfers.services import start_transfer
from tests.support import factories
from tests.support.csp import INLINE_HANDLER, INLINE_SCRIPT
from tests.support.factories import PASSWORD
from tests.support.racing import FIGURES
from tests.support.urls import resolver_routes, route_parameters
from tests.support.world import snapshot

ROLES = ["anonymous", "collaborator", "administrator", "legal_representative", "other"]
LOGIN = "login"  # a redirect to the sign-in page
ALLOWED = "allowed"  # done, or refused for a reason other than who is asking (a form error)
REFUSALS = {LOGIN, 401, 403, 404, 405}


def per_role(anonymous, collaborator, administrator, legal_representative, other) -> dict[str, Any]:
    return dict(
        zip(ROLES, [anonymous, collaborator, administrator, legal_representative, other], strict=True)
    )


MEMBERS = per_role(LOGIN, 200, 200, 200, 404)
ADMINS = per_role(LOGIN, 403, 200, 200, 404)
ADMINS_ACT = per_role(LOGIN, 403, ALLOWED, ALLOWED, 404)
POST_ONLY = per_role(LOGIN, 405, 405, 405, 404)
ADMINS_POST_ONLY = per_role(LOGIN, 403, 405, 405, 404)  # the role is checked before the method
ANYONE_SIGNED_IN = per_role(LOGIN, 200, 200, 200, 200)
SIGNED_IN_ACT = per_role(LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
PUBLIC = per_role(200, 200, 200, 200, 200)
REDIRECTS = per_role(302, 302, 302, 302, 302)


@dataclass(frozen=True)
class Page:
    get: dict[str, Any]
    post: dict[str, Any] | None = None  # expected answers to a valid POST, when the page changes state
    body: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})


PAGES: dict[str, Page] = {
    "web:home": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "web:mailbox": Page(per_role(404, 404, 404, 404, 404)),  # only with the demo's mailbox backend
    "web:healthz": Page(PUBLIC),
    "web:readyz": Page(PUBLIC),
    "web:metrics": Page(per_role(404, 404, 404, 404, 404)),  # only with HANDOVER_METRICS_TOKEN set
    "terms:current": Page(PUBLIC),
    "accounts:profile": Page(
        ANYONE_SIGNED_IN, SIGNED_IN_ACT, lambda w: {"name": "New Name", "language": "fr"}
    ),
    "accounts:tokens": Page(ANYONE_SIGNED_IN, SIGNED_IN_ACT, lambda w: {"name": "ci"}),
    # The owner's token: nobody else can revoke it, nor learn that it exists (a GET asks first).
    "accounts:token_revoke": Page(
        per_role(LOGIN, 404, 404, 200, 404), per_role(LOGIN, 404, 404, ALLOWED, 404)
    ),
    # The confirm step of removing one of one's email addresses, named by ?email= (none here: 404).
    "accounts:email_remove": Page(per_role(LOGIN, 404, 404, 404, 404)),
    "organizations:create": Page(
        ANYONE_SIGNED_IN, SIGNED_IN_ACT, lambda w: {"name": "New Org", "country": "FR"}
    ),
    "organizations:members": Page(MEMBERS),
    "organizations:member_add": Page(
        ADMINS_POST_ONLY,
        ADMINS_ACT,
        lambda w: {"email": "new@example.com", "role": Role.COLLABORATOR, "level": "use"},
    ),
    "organizations:member_role": Page(POST_ONLY, ADMINS_ACT, lambda w: {"role": Role.ADMINISTRATOR}),
    "organizations:member_remove": Page(ADMINS, ADMINS_ACT),  # a GET asks first
    # Anyone may leave, except the last legal representative (422).
    "organizations:leave": Page(MEMBERS, per_role(LOGIN, ALLOWED, ALLOWED, 422, 404)),
    "organizations:teams": Page(MEMBERS),
    "organizations:team_create": Page(POST_ONLY, ADMINS_ACT, lambda w: {"name": "Ops"}),
    "organizations:team_delete": Page(ADMINS, ADMINS_ACT),
    "organizations:team_member_add": Page(
        POST_ONLY, ADMINS_ACT, lambda w: {"user": str(w.users["administrator"].id)}
    ),
    "organizations:team_member_remove": Page(ADMINS, ADMINS_ACT),
    "organizations:settings": Page(MEMBERS, ADMINS_ACT, lambda w: {"name": "Renamed SA"}),
    # Only a legal representative locks outgoing transfers.
    "organizations:transfer_lock": Page(
        POST_ONLY, per_role(LOGIN, 403, 403, ALLOWED, 404), lambda w: {"locked": "1"}
    ),
    "products:list": Page(MEMBERS),
    "products:detail": Page(MEMBERS),  # the collaborator's granted product
    "products:grant": Page(
        per_role(405, 405, 405, 405, 405),
        ADMINS_ACT,
        lambda w: {"who": f"user:{w.users['administrator'].id}", "level": "use"},
    ),
    "products:revoke": Page(ADMINS, ADMINS_ACT),
    "billing:invoices": Page(ADMINS),
    "billing:invoice": Page(ADMINS),
    "audit:events": Page(ADMINS),
    "audit:export": Page(ADMINS),
    "transfers:list": Page(MEMBERS),
    "transfers:start": Page(
        ADMINS,
        ADMINS_ACT,
        lambda w: {"products": [str(w.s.free.id)], "accept_terms": "on", "action": "preview"},
    ),
    # The ticked products of the Transfer products page, as CSV: 404 while nothing is ticked.
    "transfers:selection_csv": Page(per_role(LOGIN, 403, 404, 404, 404)),
    "transfers:detail": Page(ADMINS, per_role(LOGIN, 403, 405, 405, 404)),
    "transfers:products_csv": Page(ADMINS),
    # A transfer's actions; rotate, send and complete ask for the password again first.
    "transfers:rotate": Page(ADMINS, ADMINS_ACT),  # a GET asks first
    "transfers:send": Page(ADMINS_POST_ONLY, ADMINS_ACT, lambda w: {"email": "rita@example.com"}),
    "transfers:complete": Page(
        ADMINS_POST_ONLY, ADMINS_ACT, lambda w: {"destination": str(w.o.org.id), "accept_terms": "on"}
    ),
    "transfers:cancel": Page(ADMINS, ADMINS_ACT, lambda w: {"reason": "Wrong product"}),
    "webhooks:list": Page(
        ADMINS, ADMINS_ACT, lambda w: {"url": "https://93.184.215.14/hook", "events": ["transfer.started"]}
    ),
    "webhooks:deliveries": Page(ADMINS),
    "webhooks:rotate": Page(ADMINS, ADMINS_ACT),  # a GET asks first
    "webhooks:delete": Page(ADMINS, ADMINS_ACT),
    "transfers:receive_link": Page(REDIRECTS),  # the secret goes into the session, out of the address
    "transfers:receive": Page(per_role(LOGIN, 404, 404, 404, 404)),  # 404: no link was opened
    "transfers:decline": Page(per_role(LOGIN, 404, 404, 404, 404)),
    # Only for a transfer emailed to one of the user's verified addresses (see the test below).
    "transfers:receive_waiting": Page(per_role(LOGIN, 404, 404, 404, 404)),
    # Accounts (django-allauth): nothing of an Organization; covered so that no route goes unseen.
    "account_login": Page(per_role(200, 302, 302, 302, 302)),
    "account_logout": Page(per_role(302, 200, 200, 200, 200)),
    "account_inactive": Page(PUBLIC),
    "account_signup": Page(per_role(200, 302, 302, 302, 302)),
    "account_reauthenticate": Page(ANYONE_SIGNED_IN),
    "account_request_reauthentication_code": Page(ANYONE_SIGNED_IN),
    "account_confirm_reauthentication_code": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "account_email": Page(ANYONE_SIGNED_IN),
    "account_email_verification_sent": Page(PUBLIC),
    "account_change_password": Page(ANYONE_SIGNED_IN),
    "account_set_password": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "account_reset_password": Page(PUBLIC),
    "account_confirm_login_code": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "account_confirm_email": Page(PUBLIC),  # an unknown key: a page saying so
    "account_reset_password_from_key_done": Page(PUBLIC),
    "account_reset_password_from_key": Page(PUBLIC),
    "account_reset_password_done": Page(PUBLIC),
    "mfa_index": Page(ANYONE_SIGNED_IN),
    "mfa_authenticate": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "mfa_reauthenticate": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "mfa_activate_totp": Page(per_role(LOGIN, 302, 302, 302, 302)),  # re-authentication first
    "mfa_deactivate_totp": Page(per_role(LOGIN, 404, 404, 404, 404)),  # no TOTP to deactivate
    "mfa_view_recovery_codes": Page(per_role(LOGIN, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": Page(per_role(LOGIN, 302, 302, 302, 302)),
    "mfa_download_recovery_codes": Page(per_role(LOGIN, 404, 404, 404, 404)),
}


ROUTES = {name: route for route, name in resolver_routes()}


# The world -------------------------------------------------------------------------------------


def _side(organization, legal_representative) -> SimpleNamespace:
    """An Organization with a member of each role, a team, products, an access, an invoice, a pending
    transfer and an API token of its legal representative."""
    collaborator = factories.add_member(organization, factories.make_user(), Role.COLLABORATOR)
    team = factories.make_team(organization, collaborator)
    granted, free, moving = (factories.make_product(organization) for _ in range(3))
    access = factories.grant(granted, collaborator)
    invoice = factories.make_invoice(organization, granted)
    started = start_transfer(
        actor=legal_representative,
        organization=organization,
        product_ids=[moving.id],
        accept_terms=True,
        acknowledge_warnings=True,
    )
    token, _secret = create_api_token(user=legal_representative, name="t")
    webhook = factories.make_webhook(organization)
    return SimpleNamespace(
        org=organization,
        collaborator=collaborator,
        free=free,
        kwargs={
            "org_id": organization.id,
            "membership_id": Membership.objects.get(user=collaborator, organization=organization).id,
            "team_id": team.id,
            "user_id": collaborator.id,
            "product_id": granted.id,
            "access_id": access.id,
            "invoice_id": invoice.id,
            "transfer_id": started.transfer.id,
            "token_id": token.id,
            "webhook_id": webhook.id,
            "token": started.token,
            "key": "unknown-key",
            "uidb36": "1",
        },
    )


@pytest.fixture
def world(terms, owner, org):
    other = factories.make_user("other@example.com")
    s = _side(org, owner)
    o = _side(factories.make_org("Other Ltd", owner=other), other)
    users = {
        "collaborator": s.collaborator,
        "administrator": factories.add_member(
            org, factories.make_user("adm@example.com"), Role.ADMINISTRATOR
        ),
        "legal_representative": owner,
        "other": other,
    }
    return SimpleNamespace(s=s, o=o, users=users)


def _url(name: str, kwargs: dict[str, Any]) -> str:
    return reverse(name, kwargs={p: kwargs[p] for p in route_parameters(ROUTES[name])})


def _client(world, role: str, **options) -> Client:
    client = Client(**options)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _answer(response) -> Any:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


def _matches(answer: Any, expected: Any) -> bool:
    if expected == ALLOWED:
        return answer not in REFUSALS and answer < 500
    return answer == expected


def _post_and_undo(client: Client, url: str, body: dict[str, Any]) -> tuple[Any, bool]:
    """POST, then undo whatever it did; returns the answer and whether anything had changed."""
    before = snapshot()
    sid = transaction.savepoint()
    try:
        response = client.post(url, body)
        changed = snapshot() != before
    finally:
        transaction.savepoint_rollback(sid)
    return _answer(response), changed


# The walks -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_answers_each_role_as_expected(world, name):
    page, url = PAGES[name], _url(name, world.s.kwargs)
    for role in ROLES:
        client = _client(world, role)
        response = client.get(url)
        assert _matches(_answer(response), page.get[role]), (name, role, "GET", _answer(response))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html) and not INLINE_HANDLER.search(html), (name, "inline script")
        if page.post is None:
            continue
        answer, changed = _post_and_undo(client, url, page.body(world))
        assert _matches(answer, page.post[role]), (name, role, "POST", answer)
        if answer in REFUSALS or answer == 422:
            assert not changed, (name, role, "refused, yet something changed")


def test_every_page_of_the_url_resolver_is_in_the_matrix():
    pages = {name for route, name in resolver_routes() if not route.startswith(("admin/", "api/"))}
    assert pages == set(PAGES)
    posts = sum(page.post is not None for page in PAGES.values())
    FIGURES.append(
        f"tenancy matrix: {len(PAGES)} pages x {len(ROLES)} roles GET ({len(PAGES) * len(ROLES)} answers), "
        f"{posts} state-changing pages x {len(ROLES)} roles POST, {len(OBJECT_PAGES)} pages x 2 directions "
        f"with another Organization's objects, {len(PAGES)} pages refusing a POST without CSRF token"
    )


OBJECT_PAGES = sorted(
    name
    for name in PAGES
    if set(route_parameters(ROUTES[name])) - {"org_id"} and "org_id" in route_parameters(ROUTES[name])
)


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_an_object_of_another_organization_answers_404_on_every_page(world, name):
    """A legal representative of both Organizations still cannot reach O's objects through S's pages,
    nor S's through O's: every object is looked up within the Organization of the address."""
    owner = world.users["legal_representative"]
    factories.add_member(world.o.org, owner, Role.LEGAL_REPRESENTATIVE)
    client = _client(world, "legal_representative")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # past it, the object is looked up
    page = PAGES[name]
    for here, there in [(world.s, world.o), (world.o, world.s)]:
        kwargs = {**there.kwargs, "org_id": here.org.id}
        url = _url(name, kwargs)
        if page.get.get("legal_representative") != 405:
            assert client.get(url).status_code == 404, (name, url)
        answer, changed = _post_and_undo(client, url, page.body(world))
        assert answer in {404, 405}, (name, url, answer)
        assert not changed, (name, url)


def test_products_not_granted_to_a_collaborator_answer_404_to_them(world):
    client = _client(world, "collaborator")
    assert client.get(reverse("products:detail", args=[world.s.org.id, world.s.free.id])).status_code == 404
    assert (
        client.get(
            reverse("products:detail", args=[world.s.org.id, world.s.kwargs["product_id"]])
        ).status_code
        == 200
    )


@pytest.mark.parametrize("action", ["preview", "start"])
def test_a_product_of_another_organization_cannot_be_put_in_a_transfer(world, action):
    client = _client(world, "legal_representative")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # starting needs a fresh sign-in
    answer, changed = _post_and_undo(
        client,
        reverse("transfers:start", args=[world.s.org.id]),
        {"products": [str(world.o.free.id)], "accept_terms": "on", "action": action},
    )
    assert answer in {400, 404}
    assert not changed


def test_only_the_addressee_opens_a_transfer_waiting_for_them(world):
    from handover.transfers.models import Transfer
    from handover.transfers.services import send_transfer_link

    transfer = Transfer.objects.get(pk=world.s.kwargs["transfer_id"])
    send_transfer_link(
        actor=world.users["legal_representative"], transfer=transfer, email=world.s.collaborator.email
    )
    url = reverse("transfers:receive_waiting", args=[transfer.id])
    for role in ROLES:
        expected = {"anonymous": LOGIN, "collaborator": 302}.get(role, 404)
        assert _answer(_client(world, role).get(url)) == expected, role


# CSRF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_page_accepts_a_post_without_its_csrf_token(world, name):
    """Signed in as the most powerful role, a POST without the token is refused (403) and changes
    nothing, whatever the page: a cross-site form cannot act for the user."""
    client = _client(world, "legal_representative", enforce_csrf_checks=True)
    answer, changed = _post_and_undo(client, _url(name, world.s.kwargs), PAGES[name].body(world))
    assert answer == (405 if name in PROBES else 403), (name, answer)
    assert not changed, name


# Answered before sessions and CSRF (for a load balancer or Prometheus), and to GET and HEAD only.
PROBES = {"web:healthz", "web:readyz", "web:metrics"}


def test_the_api_refuses_a_session_post_without_its_csrf_token(world):
    """With the session cookie (a browser), every unsafe API call needs the CSRF header; personal API
    tokens are not sent by browsers on their own, so they need none."""
    document = Client().get("/api/v1/openapi.json").json()
    client = _client(world, "legal_representative", enforce_csrf_checks=True)
    kwargs = {key: world.s.kwargs[key] for key in ("org_id", "transfer_id", "webhook_id")}
    posts = [path for path, item in document["paths"].items() if "post" in item]
    assert len(posts) >= 10
    for path in posts:
        answer, changed = _post_and_undo(client, path.format(**kwargs), {})
        assert answer == 403, (path, answer)
        assert not changed, path


# The admin's sign-in sends the anonymous to the product's (302) and refuses a signed-in customer (403).
ADMIN_PUBLIC = {"admin:login": {302, 403}, "admin:logout": {302, 405}}


def test_no_customer_reaches_the_operator_admin(world):
    """Every route under /admin/ sends anyone who is not staff to the admin's sign-in (or is public:
    its sign-in, which takes no password, and sign-out); POSTs change nothing."""
    transfer_id = str(world.s.kwargs["transfer_id"])
    routes = [(route, name) for route, name in resolver_routes() if route.startswith("admin/")]
    assert len(routes) > 50
    for role in ROLES:
        client = _client(world, role)
        for route, name in routes:
            url = "/" + re.sub(
                r"<(?:\w+:)?(\w+)>", lambda m: "1" if m.group(1) == "content_type_id" else transfer_id, route
            )
            response = client.get(url)
            if name in ADMIN_PUBLIC:
                assert response.status_code in ADMIN_PUBLIC[name], (role, url, response.status_code)
                continue
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), (
                role,
                url,
                response.status_code,
            )
            answer, changed = _post_and_undo(client, url, {})
            assert not changed, (role, url, answer)
    FIGURES.append(
        f"operator admin: {len(routes)} routes x {len(ROLES)} roles, none reached without staff status"
    )
