"""Playwright for Python driving Debian's Chromium against pytest-django's live server: the session's
browser, the test's page, more pages for more people, and signing in through the real form."""

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, sync_playwright

from tests.support.factories import PASSWORD

CHROMIUM = Path(os.environ.get("HANDOVER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in CI containers, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no traffic but to the live server
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Debian's Chromium, headless; each test gets a fresh context (cookies, storage) of it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (or set HANDOVER_CHROMIUM)")
    # Playwright's sync API runs an asyncio event loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop (SynchronousOnlyOperation). The tests' own ORM calls are
    # synchronous and never overlap the browser's, so the check is switched off while it runs.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # launch() gives the browser a fresh temporary profile (user data dir) of its own.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            downloads_path=str(tmp_path_factory.mktemp("downloads")),
        )
        yield browser
        browser.close()


def open_page(browser, base_url: str, *, javascript: bool = True) -> Page:
    """A page in a new browser context (cookies, storage of its own), relative URLs resolved against
    `base_url`; closing its context is the caller's."""
    context = browser.new_context(
        base_url=base_url,
        locale="en-US",
        viewport={"width": 1280, "height": 800},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    """The test's page, in a fresh browser context on the live server."""
    page = open_page(browser, live_server.url)
    yield page
    page.context.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Page]]:
    """Make more pages, each in a browser context of its own: a second person signs in on a second
    page (`new_page(javascript=False)` for one without JavaScript)."""
    pages: list[Page] = []

    def make(*, javascript: bool = True) -> Page:
        pages.append(open_page(browser, live_server.url, javascript=javascript))
        return pages[-1]

    yield make
    for made in pages:
        made.context.close()


def sign_in_on(page: Page, email: str, password: str = PASSWORD, *, open_form: bool = True) -> None:
    """Sign in through the real sign-in form: the sign-in page, or with `open_form=False` the form the
    page already shows (after a redirect to it); returns once the browser has left it."""
    if open_form:
        page.goto(reverse("account_login"))
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(lambda url: reverse("account_login") not in url)


@pytest.fixture
def sign_in(page) -> Callable[..., None]:
    """`sign_in(email, password=PASSWORD)` on the test's page."""
    return functools.partial(sign_in_on, page)
