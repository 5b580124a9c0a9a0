"""Retake the README's screenshots: serve the demo on a free port, sign in as a demo user, and
photograph pages with Debian's Chromium through Playwright.

Run it with `make screenshots` (it needs the test dependencies and /usr/bin/chromium).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("HANDOVER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
USER, PASSWORD, ORGANIZATION = "luca@webatelier.ch", "handover-demo", "Web Atelier Sàrl"
DESKTOP, PHONE = {"width": 1280, "height": 860}, {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: str, port: int) -> subprocess.Popen[str]:
    """`handover serve --demo` on a fresh SQLite database; returns once it listens."""
    env = {**os.environ, "HANDOVER_DATA_DIR": data_dir, "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "EMAIL_URL", "BASE_URL"):
        env.pop(name, None)
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "handover", "serve", "--port", str(port), "--demo", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None  # noqa: S101
    for line in server.stdout:
        if "Handover is serving" in line:
            break
    else:
        sys.exit(f"handover serve stopped with status {server.wait()}")
    # Keep reading, so that a full pipe never blocks the server.
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server


def take(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=base_url, viewport=DESKTOP, locale="en-US")
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(USER)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").first.click()
        page.wait_for_url("**/products/")
        # The agency's own Organization: its products, one of them in the demo's pending transfer,
        # counted by the badge of the sidebar's bottom icon.
        page.locator("details.switcher summary").click()
        page.locator("details.switcher").get_by_role("link", name=ORGANIZATION).click()
        page.wait_for_load_state()
        page.screenshot(path=HERE / "products.png")
        # The same page on a phone: the sidebar a bar with its menu button, the table stacked as cards.
        page.set_viewport_size(PHONE)
        page.wait_for_function("!document.querySelector('details.sidebar-menu[open]')")
        page.screenshot(path=HERE / "products-phone.png", full_page=True)
        print(f"wrote {HERE / 'products.png'} and {HERE / 'products-phone.png'}")
        browser.close()


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = serve(data_dir, port)
        try:
            take(f"http://127.0.0.1:{port}")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
