"""In Chromium, a reseller transfers 10,000 products (SPEC §6.1): a live search that keeps what is
ticked, "Select all N matching", Transfer, the warnings, and the recipient receives them into their
own Organization. Every HTML answer of the walk, pages and htmx fragments alike, is measured: none
weighs more than 150 KB."""

import re
from urllib.parse import urlsplit

from django.urls import reverse
from playwright.sync_api import expect

from handover.products.models import Product
from handover.transfers.models import Transfer, TransferState
from tests.support import factories
from tests.support.browser import sign_in_on
from tests.support.keyboard import activate, assert_focus_visible

COUNT = 10_000
PAGE_LIMIT = 150 * 1024


def _html_answers(page):
    """Every HTML answer `page` receives from now on, as (address, bytes): each request goes through
    this process, which measures the answer and hands it to the browser as it came (redirects too)."""
    answers = []

    def measure(route):
        answer = route.fetch(max_redirects=0)
        if "text/html" in answer.headers.get("content-type", ""):
            answers.append((route.request.url, len(answer.body())))
        route.fulfill(response=answer)

    page.route("**/*", measure)
    return answers


def test_ten_thousand_products_are_selected_transferred_and_received(
    page, new_page, owner, org, recipient, destination, terms
):
    factories.make_products(org, COUNT)
    factories.make_product(org, "ksuite", name="suite.example")  # folded: it cannot move
    sender_sizes = _html_answers(page)
    sign_in_on(page, owner.email)

    page.goto(reverse("transfers:start", args=[org.id]))
    expect(page.locator("#picker")).to_contain_text(f"{COUNT} products can be transferred.")
    expect(page.locator("#picker")).to_contain_text("1 more product cannot be transferred now")

    # A tick, kept through a live search (htmx replaces the list, not the page).
    first = page.get_by_label("web_hosting-0", exact=True)
    first.check()
    expect(page.locator("#selection-bar")).to_contain_text("1 selected")
    page.get_by_label("Search").fill("web_hosting-9999")
    expect(page.locator("#picker tbody tr")).to_have_count(1)
    expect(page.locator("#selection-bar")).to_contain_text("1 selected")
    page.get_by_label("Search").fill("")
    expect(page.locator("#picker tbody tr")).to_have_count(50)
    expect(page.get_by_label("web_hosting-0", exact=True)).to_be_checked()
    # Natural order: web_hosting-2 comes before web_hosting-10.
    names = page.locator("#picker tbody label").all_inner_texts()
    assert names.index("web_hosting-2") < names.index("web_hosting-10")

    page.get_by_role("button", name=f"Select all {COUNT} matching").click()
    expect(page.locator("#picker")).to_contain_text(f"All {COUNT} products that match are selected.")
    expect(page.locator("#selection-bar")).to_contain_text(f"{COUNT} selected")
    page.get_by_role("button", name=re.compile("^Page 200$")).click()
    expect(page.get_by_label(f"web_hosting-{COUNT - 1}", exact=True)).to_be_checked()
    expect(page).to_have_url(re.compile(r"\?page=200$"))  # htmx replaced the list and the address

    page.get_by_label("I have read and accept the general conditions").check()
    page.get_by_role("button", name="Transfer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Read and validate the warnings")
    expect(page.locator("main")).to_contain_text(f"You are about to transfer {COUNT} products")
    page.get_by_label("I have read these warnings").check()
    page.get_by_role("button", name="Validate and start the transfer").click()
    expect(page.locator("main")).to_contain_text("The transfer has started.")
    link = page.locator("#transfer-link").input_value()
    transfer = Transfer.objects.get()
    assert transfer.product_count == COUNT

    # The recipient, in another browser, receives them into their own Organization.
    other = new_page()
    recipient_sizes = _html_answers(other)
    sign_in_on(other, recipient.email)
    other.goto(urlsplit(link).path)  # the link names the configured BASE_URL, not the live server
    expect(other.get_by_role("heading", level=1)).to_contain_text(f"transfers {COUNT} products to you")
    other.get_by_label("Destination Organization").select_option(label=destination.name)
    other.get_by_label("I have read and accept the general conditions").check()
    other.get_by_role("button", name="Receive the products").click()
    expect(other).to_have_url(re.compile(rf"/o/{destination.id}/products/"))

    for browsed in (page, other):  # requests still in flight (static files) end unmeasured
        browsed.unroute_all(behavior="ignoreErrors")
    assert Product.objects.filter(organization=destination).count() == COUNT
    assert Transfer.objects.get().state == TransferState.COMPLETED
    measured = sender_sizes + recipient_sizes
    assert len(measured) >= 10
    too_big = [(url, size) for url, size in measured if size > PAGE_LIMIT]
    assert too_big == []
    largest = max(size for _, size in measured)
    print(f"\nbulk transfer in a browser: {len(measured)} HTML answers, the largest {largest} bytes")


def test_without_javascript_ticks_survive_pages_and_search(new_page, owner, org, terms):
    factories.make_products(org, 120)
    page = new_page(javascript=False)
    sign_in_on(page, owner.email)
    page.goto(reverse("transfers:start", args=[org.id]))

    page.get_by_label("web_hosting-7", exact=True).check()
    page.get_by_role("button", name=re.compile("^Page 3$")).click()
    expect(page.locator("#selection-bar")).to_contain_text("1 selected")
    page.get_by_label("web_hosting-101", exact=True).check()
    page.get_by_label("Search").fill("web_hosting-11")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#selection-bar")).to_contain_text("2 selected")
    expect(page.get_by_label("web_hosting-110", exact=True)).not_to_be_checked()
    page.get_by_label("web_hosting-110", exact=True).check()

    page.get_by_label("I have read and accept the general conditions").check()
    page.get_by_role("button", name="Transfer", exact=True).click()
    expect(page.locator("main")).to_contain_text("You are about to transfer 3 products")
    page.get_by_label("I have read these warnings").check()
    page.get_by_role("button", name="Validate and start the transfer").click()
    expect(page.locator("main")).to_contain_text("The transfer has started.")
    names = set(Transfer.objects.get().items.values_list("product__name", flat=True))
    assert names == {"web_hosting-7", "web_hosting-101", "web_hosting-110"}


def test_the_selected_count_follows_the_ticks_without_taking_the_focus(page, owner, org, terms):
    factories.make_products(org, 3)
    sign_in_on(page, owner.email)
    page.goto(reverse("transfers:start", args=[org.id]))
    transfer = page.get_by_role("button", name="Transfer", exact=True)

    # A person ticks, then moves on to Transfer before the count comes back from the server.
    page.get_by_label("web_hosting-0", exact=True).check()
    transfer.focus()
    expect(page.locator("#selection-bar")).to_contain_text("1 selected")
    expect(transfer).to_be_focused()


def test_a_keyboard_user_paging_the_list_goes_on_from_the_list(page, owner, org, terms):
    factories.make_products(org, 120)
    sign_in_on(page, owner.email)
    page.goto(reverse("transfers:start", args=[org.id]))

    # htmx replaces the list, and with it the button that had the focus: the list takes it.
    activate(page, page.get_by_role("button", name=re.compile("^Next")))
    expect(page.locator("#picker")).to_contain_text("web_hosting-50")
    expect(page.locator("#picker")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('#picker').contains(document.activeElement)")
    assert_focus_visible(page)
