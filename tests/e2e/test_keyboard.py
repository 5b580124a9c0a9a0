"""The whole guide with the keyboard alone (SPEC §4: keyboard-accessible): signing in, switching
Organization, starting a transfer, validating its warnings, copying its link, and receiving it. Only
keys are pressed and text typed; an address is typed into the address bar (page.goto). At every stop
the focused element shows its focus ring."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from handover.products.models import Product
from handover.transfers.models import Transfer, TransferState
from tests.support import factories
from tests.support.factories import PASSWORD
from tests.support.keyboard import activate, assert_focus_visible, focused, press_until_focused


def sign_in_with_the_keyboard(page: Page, email: str) -> None:
    page.goto(reverse("account_login"))
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    press_until_focused(page, form.locator("input[name=login]"))
    page.keyboard.type(email)
    press_until_focused(page, form.locator("input[name=password]"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: reverse("account_login") not in url)


@pytest.fixture
def world(db):
    factories.make_terms()
    claire = factories.make_user("claire@dupont-conseil.example", name="Claire Dupont")
    # Signing in opens the first Organization by name: Claire has to switch to the one that sends.
    factories.make_org("Atelier Dupont", owner=claire)
    source = factories.make_org("Dupont Conseil SA", owner=claire)
    hosting = factories.make_product(source, "web_hosting", name="dupont-conseil.ch")
    domain = factories.make_product(source, "domain", name="dupont-conseil.com")
    mailbox = factories.make_product(source, "mail_service", name="mail.dupont-conseil.com")
    domain.linked.add(mailbox)
    factories.make_product(source, "ssl_certificate", name="*.dupont-conseil.com")
    luca = factories.make_user("luca@agence-web.example", name="Luca Rossi")
    agency = factories.make_org("Agence Web Sàrl", owner=luca)
    factories.make_org("Rossi Famiglia", owner=luca)  # so that Luca has a destination to choose
    return {
        "claire": claire,
        "source": source,
        "hosting": hosting,
        "domain": domain,
        "luca": luca,
        "agency": agency,
    }


def test_send_and_receive_a_transfer_with_the_keyboard_only(world, page, new_page):
    source, agency = world["source"], world["agency"]
    sign_in_with_the_keyboard(page, world["claire"].email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Products")

    # The Organization switcher: Enter opens it, Escape closes it with the focus back on its button,
    # the arrow keys move through its Organizations.
    switcher = page.locator("details.switcher")
    press_until_focused(page, switcher.locator("summary"))
    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(switcher).not_to_have_attribute("open", "")
    assert switcher.locator("summary").evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowDown")
    press_until_focused(
        page, switcher.get_by_role("link", name=re.compile(r"^Dupont Conseil SA")), key="ArrowDown"
    )
    page.keyboard.press("Enter")
    expect(page.locator(".switcher-name")).to_have_text("Dupont Conseil SA")

    # The bottom icon of the sidebar, then "Transfer products".
    activate(page, page.locator(".sidebar-bottom a"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Product transfers")
    activate(page, page.get_by_role("link", name="Transfer products"))
    expect(page).to_have_url(re.compile(rf"/o/{source.id}/transfers/new/$"))

    # Tick two products (Space), then back up a row with Shift+Tab and untick one.
    activate(page, page.get_by_label("dupont-conseil.ch", exact=True), key="Space")
    activate(page, page.get_by_label("dupont-conseil.com", exact=True), key="Space")
    activate(page, page.get_by_label("*.dupont-conseil.com", exact=True), key="Space")
    press_until_focused(page, page.get_by_label("dupont-conseil.com", exact=True), key="Shift+Tab")
    press_until_focused(page, page.get_by_label("*.dupont-conseil.com", exact=True))
    page.keyboard.press("Space")
    expect(page.get_by_label("*.dupont-conseil.com", exact=True)).not_to_be_checked()
    expect(page.get_by_label("dupont-conseil.ch", exact=True)).to_be_checked()
    expect(page.get_by_label("dupont-conseil.com", exact=True)).to_be_checked()

    # The general conditions can be scrolled from the keyboard, then accepted.
    press_until_focused(page, page.locator(".terms-box"))
    activate(page, page.get_by_label("I have read and accept the general conditions"), key="Space")
    press_until_focused(page, page.get_by_label("Note to the recipient (optional)"))
    page.keyboard.type("Yours now.")
    activate(page, page.get_by_role("button", name="Transfer", exact=True))

    # The warnings: add the linked mail service, acknowledge, start.
    expect(page.get_by_role("heading", level=1)).to_have_text("Read and validate the warnings")
    activate(page, page.get_by_role("button", name="Add them"))
    expect(page.locator("main")).to_contain_text("mail.dupont-conseil.com")
    activate(page, page.get_by_label("I have read these warnings"), key="Space")
    activate(page, page.get_by_role("button", name="Validate and start the transfer"))
    expect(page.get_by_role("heading", name="The transfer has started. Now, at your choice:")).to_be_visible()

    # Copy the link: Enter on "Copy" puts it on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    link = page.get_by_label("Transfer link", exact=True).input_value()
    activate(page, page.get_by_role("button", name="Copy", exact=True))
    expect(page.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link

    # Luca signs in, types the link into the address bar, and receives.
    receiver = new_page()
    sign_in_with_the_keyboard(receiver, world["luca"].email)
    receiver.goto("/transfers/receive/" + link.split("/transfers/receive/")[1])  # the live server's address
    expect(receiver.get_by_role("heading", level=1)).to_have_text(
        "Dupont Conseil SA transfers 3 products to you"
    )
    receive = receiver.get_by_role("button", name="Receive the products")
    expect(receive).to_be_disabled()
    destination = receiver.get_by_label("Destination Organization")
    press_until_focused(receiver, destination)
    for _ in range(5):
        if destination.evaluate("el => el.selectedOptions[0].text") == "Agence Web Sàrl":
            break
        receiver.keyboard.press("ArrowDown")
    expect(destination).to_have_value(str(agency.id))
    activate(receiver, receiver.get_by_label("I have read and accept the general conditions"), key="Space")
    expect(receive).to_be_enabled()
    activate(receiver, receive)

    expect(receiver).to_have_url(re.compile(rf"/o/{agency.id}/products/\?transfer=[0-9a-f-]+$"))
    expect(receiver.locator(".messages")).to_contain_text("The 3 products were transferred")
    moved = Product.objects.filter(
        name__in=["dupont-conseil.ch", "dupont-conseil.com", "mail.dupont-conseil.com"]
    )
    assert {product.organization_id for product in moved} == {agency.id}
    assert Product.objects.get(name="*.dupont-conseil.com").organization_id == source.id
    assert Transfer.objects.get().state == TransferState.COMPLETED

    # Where the focus lands after a page load, the first Tab shows the skip link, and Enter on it
    # moves into the page's content.
    receiver.keyboard.press("Tab")
    assert_focus_visible(receiver)
    assert "skip" in focused(receiver)["element"]
    receiver.keyboard.press("Enter")
    receiver.keyboard.press("Tab")
    assert receiver.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert_focus_visible(receiver)
