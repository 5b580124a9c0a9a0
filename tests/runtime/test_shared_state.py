"""A fleet behaves as one server: what one app server counts or signs in, another sees (the database
cache, the session table, the link-attempt rows). The fleet test (test_fleet.py) proves the same on
PostgreSQL, under load."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.processes import embedded_env, run_handover
from tests.support.servers import wait_until_answering

HOST = "manager.example.test"  # the public name, the same through every server of the fleet
EMAIL, PASSWORD = "rita@example.com", "a-long-right-password"
WRONG = "The email address and/or password you specified are not correct."
THROTTLED = "Too many failed login attempts. Try again later."


class Browser:
    """Cookies and CSRF token of one browser talking to one server, as behind a load balancer."""

    def __init__(self, port: int, cookies: http.cookiejar.CookieJar | None = None):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None):
        request = urllib.request.Request(  # noqa: S310 (http only)
            self.base + path, data, {"Host": HOST, **(headers or {})}
        )
        return self.opener.open(request, timeout=60)

    def post_form(self, path: str, fields: dict[str, str], *, form_from: "Browser | None" = None):
        """Post `fields` with the CSRF token of the form at `path`, as served by `form_from` (this
        browser's server by default); answers the response, redirects followed."""
        page = (form_from or self).open(path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.open(path, urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode())

    def sign_in(self, password: str, *, form_from: "Browser | None" = None) -> str:
        """The sign-in page's answer to `password` (the page with its error, or where it redirected)."""
        with self.post_form(
            "/accounts/login/", {"login": EMAIL, "password": password}, form_from=form_from
        ) as answer:
            return answer.read().decode() if answer.url.endswith("/accounts/login/") else answer.url


@pytest.mark.slow
def test_sign_in_failures_counted_by_one_server_throttle_the_other(serve, tmp_path):
    env = embedded_env(tmp_path)
    run_handover(env, "migrate", "--verbosity", "0")
    run_handover(env, "user", "create", EMAIL, "--password", PASSWORD)
    _first, first_port = serve("--no-migrate", "--no-worker", "--workers", "1", ALLOWED_HOSTS=HOST)
    _second, second_port = serve("--no-migrate", "--no-worker", "--workers", "1", ALLOWED_HOSTS=HOST)
    wait_until_answering(first_port)
    wait_until_answering(second_port)
    one, other = Browser(first_port), Browser(second_port)

    for _ in range(5):  # allauth allows 5 failures per address in 5 minutes ("5/5m/key")
        assert WRONG in one.sign_in("wrong-password")
    # Counted by the first server, refused by the second, even with the right password.
    assert THROTTLED in other.sign_in(PASSWORD)
    assert THROTTLED in one.sign_in(PASSWORD)


@pytest.mark.slow
def test_a_session_and_the_link_attempts_of_one_server_count_on_the_other(serve, tmp_path):
    env = embedded_env(tmp_path)
    run_handover(env, "migrate", "--verbosity", "0")
    run_handover(env, "user", "create", EMAIL, "--password", PASSWORD)
    token = json.loads(run_handover(env, "token", "create", EMAIL, "--json").stdout)["token"]
    servers = [
        serve(
            "--no-migrate",
            "--no-worker",
            "--workers",
            "1",
            ALLOWED_HOSTS=HOST,
            HANDOVER_LINK_ATTEMPT_LIMIT="3",
        )
        for _ in range(2)
    ]
    for _server, port in servers:
        wait_until_answering(port)
    cookies = http.cookiejar.CookieJar()  # one browser; the load balancer sends each request anywhere
    one, other = (Browser(port, cookies) for _server, port in servers)

    # Signed in with a form served by one server and posted to the other; known to both.
    assert other.sign_in(PASSWORD, form_from=one).endswith("/")
    for browser in (one, other):
        with browser.open("/account/") as page:
            assert page.url.endswith("/account/") and EMAIL in page.read().decode()
    # Signed out through one: signed out on both.
    other.post_form("/accounts/logout/", {}, form_from=one).close()
    with one.open("/account/") as page:
        assert "/accounts/login/" in page.url

    # Failed lookups of transfer links counted by one server are refused by the other.
    def inspect(browser: Browser) -> int:
        try:
            with browser.open(
                "/api/v1/transfer-links/inspect",
                json.dumps({"token": "no-such-link"}).encode(),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            ) as answer:
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code

    assert [inspect(one) for _ in range(3)] == [404, 404, 404]
    assert inspect(other) == 429
