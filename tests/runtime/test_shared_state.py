"""A fleet behaves as one server: what one app server counts, another sees (the database cache)."""

import http.cookiejar
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

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: bytes | None = None):
        request = urllib.request.Request(self.base + path, data, {"Host": HOST})  # noqa: S310 (http only)
        return self.opener.open(request, timeout=60)

    def sign_in(self, password: str) -> str:
        """The sign-in page's answer to `password` (the page with its error, or where it redirected)."""
        page = self.open("/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"login": EMAIL, "password": password, "csrfmiddlewaretoken": token})
        with self.open("/accounts/login/", form.encode()) as answer:
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
