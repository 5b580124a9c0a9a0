"""Security headers, HTTPS settings, and sign-in throttling (ASVS 5.0 3.4.x browser security headers,
3.3.x cookies, 12.x HTTPS, 6.3.1 / 2.4.1 anti-automation)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

import handover
from handover.web.security import CONTENT_SECURITY_POLICY
from tests.support import factories
from tests.support.csp import INLINE_HANDLER, INLINE_SCRIPT, JAVASCRIPT_URL
from tests.support.factories import PASSWORD
from tests.support.processes import embedded_env, run_handover


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_the_policy_runs_only_this_sites_own_scripts_and_is_never_framed():
    policy = _directives(CONTENT_SECURITY_POLICY)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/nowhere/",
    ],
)
def test_every_answer_carries_the_security_headers(client, db, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_static_files_carry_the_policy_and_nosniff(client, db):
    response = client.get("/static/web/handover.js")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_carry_them_too(client, org, owner):
    client.force_login(owner)
    for name, kwargs in [("products:list", {"org_id": org.id}), ("transfers:list", {"org_id": org.id})]:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_no_template_of_handover_holds_an_inline_script_or_handler():
    """What the policy would block must not be needed: every behaviour lives in static files."""
    offenders = []
    for template in Path(handover.__file__).parent.rglob("templates/**/*.html"):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JAVASCRIPT_URL):
            offenders += [f"{template.name}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert offenders == []


# HTTPS ------------------------------------------------------------------------------------------

PRODUCTION = {
    "BASE_URL": "https://handover.example.com",
    "SECRET_KEY": "x7!kQ2#vR9@mL4$wT8^zP1&nB6*cF3(hJ5)dG0-sY2_eU7+aK9=oI4",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "handover.example.com",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587?tls=1",
}
SHOW_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', 'DEBUG']}))"
)


def _handover(tmp_path, env, *args):
    return run_handover(embedded_env(tmp_path, **env), *args, check=False)


@pytest.mark.slow
def test_served_over_https_the_deploy_checks_are_clean(tmp_path):
    result = _handover(tmp_path, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

    shown = _handover(tmp_path, PRODUCTION, "shell", "--no-imports", "-c", SHOW_SETTINGS)
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
        "DEBUG": False,
    }


@pytest.mark.slow
def test_the_deploy_checks_refuse_the_demos_public_mailbox(tmp_path):
    """Without EMAIL_URL, mail (password resets, transfer links) lands in the demo's mailbox, which
    anyone can read at /mailbox/."""
    without_smtp = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    result = _handover(tmp_path, {**without_smtp, "EMAIL_URL": "mailbox:"}, "check", "--deploy")
    assert result.returncode != 0
    assert "handover.E001" in result.stderr + result.stdout


def test_over_https_answers_carry_hsts_and_cookies_are_secure(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"] is True
    user = factories.make_user()
    signed_in = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, secure=True)
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["secure"] is True
    assert signed_in.cookies["sessionid"]["httponly"] is True
    assert signed_in.cookies["sessionid"]["samesite"] == "Lax"


# Sign-in throttling ----------------------------------------------------------------------------------


@pytest.fixture
def rate_limits():
    """allauth counts attempts in the cache: start from none, and leave none behind for other tests
    (they all come from 127.0.0.1)."""
    cache.clear()
    yield
    cache.clear()


def test_repeated_failed_sign_ins_for_one_account_are_throttled(client, db, rate_limits):
    """ACCOUNT_RATE_LIMITS: five failures per account in five minutes, then even the right password
    is refused for a while."""
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    user = factories.make_user("victim@example.com")
    for _ in range(5):
        wrong = client.post("/accounts/login/", {"login": user.email, "password": "not the password"})
        assert wrong.status_code == 200  # the form again, with its error

    right = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session
    other = factories.make_user()  # another account, from the same address, is not blocked yet
    assert client.post("/accounts/login/", {"login": other.email, "password": PASSWORD}).status_code == 302


def test_failed_sign_ins_from_one_address_are_throttled_across_accounts(client, db, rate_limits):
    """Ten failures a minute per address, whichever accounts they try."""
    for n in range(10):
        client.post("/accounts/login/", {"login": f"nobody{n}@example.com", "password": "guess"})
    user = factories.make_user()

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
