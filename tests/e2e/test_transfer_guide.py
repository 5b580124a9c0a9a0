"""The guide "Transfer a product from one Organization to another", walked in a browser sentence by
sentence (seed/000_02be3063c5c2ef06.txt), plus what SPEC §2 and §3 add: decline, cancel, an expired link.

Screenshots of the main pages are written to docs/screenshots/ when HANDOVER_SCREENSHOTS=1 is set
(`HANDOVER_SCREENSHOTS=1 pytest tests/e2e/test_transfer_guide.py`), elsewhere to a temporary folder.
"""

import os
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from handover.organizations.models import Organization, Role
from handover.products.models import Product
from handover.transfers.models import Transfer, TransferState
from handover.transfers.services import send_transfer_link, start_transfer
from tests.support import factories
from tests.support.browser import sign_in_on
from tests.support.factories import PASSWORD

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path: Path) -> Callable[[Page, str], None]:
    """Save full-page screenshots of the page under a name (docs/screenshots/ with HANDOVER_SCREENSHOTS=1):
    `name` at the desktop width the page has, `name-phone` at a phone's 390x844, its sidebar closed."""
    folder = DOCS_SCREENSHOTS if os.environ.get("HANDOVER_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page: Page, name: str) -> None:
        desktop = page.viewport_size
        assert desktop is not None
        page.screenshot(path=str(folder / name), full_page=True)
        page.set_viewport_size(PHONE)
        expect(page.locator("details.sidebar-menu[open]")).to_have_count(0)  # no eval: the CSP forbids it
        page.screenshot(path=str(folder / name.replace(".png", "-phone.png")), full_page=True)
        page.set_viewport_size(desktop)

    return shot


@pytest.fixture
def world(db):
    """A consultancy that hands its web presence to the agency now running it."""
    factories.make_terms()
    owner = factories.make_user("claire@dupont-conseil.example", name="Claire Dupont")
    source = factories.make_org("Dupont Conseil SA", owner=owner)
    staff = factories.add_member(
        source, factories.make_user("marc@dupont-conseil.example", name="Marc Weber"), Role.COLLABORATOR
    )
    team = factories.make_team(source, staff, name="Communication")
    hosting = factories.make_product(source, "web_hosting", name="dupont-conseil.ch")
    domain = factories.make_product(source, "domain", name="dupont-conseil.com")
    mailbox = factories.make_product(source, "mail_service", name="mail.dupont-conseil.com")
    certificate = factories.make_product(source, "ssl_certificate", name="*.dupont-conseil.com")
    factories.make_product(source, "ksuite", name="kSuite Dupont")
    domain.linked.add(mailbox)
    factories.grant(hosting, staff)
    factories.grant(domain, team)
    factories.make_invoice(source, hosting, domain)
    recipient = factories.make_user("luca@agence-web.example", name="Luca Rossi")
    agency = factories.make_org("Agence Web Sàrl", owner=recipient)
    return {
        "owner": owner,
        "source": source,
        "hosting": hosting,
        "domain": domain,
        "mailbox": mailbox,
        "certificate": certificate,
        "recipient": recipient,
        "agency": agency,
    }


def start_a_transfer(page: Page, *names: str) -> str:
    """From the transfers page: the guide's first part, up to the started transfer; returns its link."""
    page.get_by_role("link", name="Transfer products").click()
    for name in names:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("I have read and accept the general conditions").check()
    page.get_by_role("button", name="Transfer", exact=True).click()
    page.get_by_label("I have read these warnings").check()
    page.get_by_role("button", name="Validate and start the transfer").click()
    expect(page.get_by_role("heading", name="The transfer has started. Now, at your choice:")).to_be_visible()
    return page.get_by_label("Transfer link", exact=True).input_value()


def open_transfers(page: Page) -> None:
    """The bottom icon of the left sidebar."""
    page.locator(".sidebar-bottom").get_by_role("link", name=re.compile(r"^Product transfers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Product transfers")


def test_generate_a_link_copy_it_and_receive_it_with_the_drop_down(
    world, page, sign_in, new_page, live_server, shots
):
    source, agency = world["source"], world["agency"]
    # Prerequisites: be Administrator or Legal Representative within the Organization.
    sign_in(world["owner"].email, PASSWORD)

    # "Click here to access product transfer management on the Infomaniak Manager."
    open_transfers(page)

    # "Click on the Transfer products button."
    page.get_by_role("link", name="Transfer products").click()
    expect(page).to_have_url(re.compile(rf"/o/{source.id}/transfers/new/$"))
    # Preamble: "kSuite cannot be transferred." — counted above the list; shown, disabled with the reason.
    expect(page.locator("#picker")).to_contain_text("1 more product cannot be transferred now")
    page.get_by_role("button", name="Show them").click()
    expect(page.get_by_label("kSuite Dupont", exact=True)).to_be_disabled()
    expect(page.locator("tr", has_text="kSuite Dupont")).to_contain_text("kSuite cannot be transferred.")

    # "Check the product(s) to be moved." The select-all box checks every product that can move.
    page.get_by_label("Select all").check()
    for name in (
        "dupont-conseil.ch",
        "dupont-conseil.com",
        "mail.dupont-conseil.com",
        "*.dupont-conseil.com",
    ):
        expect(page.get_by_label(name, exact=True)).to_be_checked()
    page.get_by_label("Select all").uncheck()
    page.get_by_label("dupont-conseil.ch", exact=True).check()
    page.get_by_label("dupont-conseil.com", exact=True).check()

    # "Read and accept the general conditions."
    expect(page.locator(".terms-box")).to_contain_text("The general conditions of the provider.")
    page.get_by_label("I have read and accept the general conditions").check()
    page.get_by_label("Note to the recipient (optional)").fill(
        "As agreed on the phone: the website is yours now."
    )
    shots(page, "transfer-start.png")

    # "Click on the Transfer button." The warnings come first, concretely; nothing has changed yet.
    page.get_by_role("button", name="Transfer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Read and validate the warnings")
    warnings = page.locator("ul.warnings")
    expect(warnings).to_contain_text("Marc Weber will lose access to dupont-conseil.ch.")
    expect(warnings).to_contain_text("The team Communication will lose its rights on dupont-conseil.com.")
    expect(warnings).to_contain_text("Invoices stay with the sending Organization")
    expect(warnings).to_contain_text("no interruption")
    # The linked mail service would stay behind: one click adds it.
    expect(page.locator("body")).to_contain_text("mail.dupont-conseil.com")
    shots(page, "transfer-warnings.png")
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_role("button", name="Add them")).to_have_count(0)
    expect(page.locator("section", has=page.locator("#products-title"))).to_contain_text(
        "mail.dupont-conseil.com"
    )
    assert not Transfer.objects.exists()

    page.get_by_label("I have read these warnings").check()
    page.get_by_role("button", name="Validate and start the transfer").click()

    # "The transfer has started. Now, at your choice: Copy the transfer link."
    expect(page.get_by_role("heading", name="The transfer has started. Now, at your choice:")).to_be_visible()
    transfer = Transfer.objects.get()
    assert transfer.state == TransferState.PENDING
    assert "/transfers/receive/" not in page.url
    link = page.get_by_label("Transfer link", exact=True).input_value()
    assert "/transfers/receive/" in link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    shots(page, "transfer-started.png")

    # The link is shown once: on a later visit, "Get a new link" replaces it, once confirmed.
    page.reload()
    expect(page.get_by_label("Transfer link", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Get a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get a new link?")
    page.get_by_role("button", name="Get a new link").click()
    new_link = page.get_by_label("Transfer link", exact=True).input_value()
    assert new_link != link

    # The badge of the bottom icon counts the pending transfer.
    expect(page.locator(".sidebar-bottom .badge")).to_have_text("1")

    # Receive the product — "Click here to access the Organization that must receive the product(s)."
    recipient_page = new_page()
    sign_in_on(recipient_page, world["recipient"].email)
    # "Execute the link obtained in the first step above." The secret leaves the address bar at once.
    path = new_link.split("/transfers/receive/")[1]
    recipient_page.goto(f"/transfers/receive/{path}")
    expect(recipient_page).to_have_url(re.compile(r"/transfers/receive/\?transfer=[0-9a-f-]+$"))
    expect(recipient_page.get_by_role("heading", level=1)).to_contain_text(
        "Dupont Conseil SA transfers 3 products to you"
    )
    expect(recipient_page.locator("body")).to_contain_text("As agreed on the phone")
    expect(recipient_page.locator("body")).to_contain_text("No invoices come along")

    # "If the button is not clickable, make sure you have selected the Organization."
    receive = recipient_page.get_by_role("button", name="Receive the products")
    expect(receive).to_be_disabled()
    # "If necessary, choose the destination Organization using the drop-down menu."
    recipient_page.get_by_label("Destination Organization").select_option(label="Agence Web Sàrl")
    expect(receive).to_be_disabled()
    # "Read and accept the General Conditions."
    recipient_page.get_by_label("I have read and accept the general conditions").check()
    expect(receive).to_be_enabled()
    recipient_page.get_by_label("Destination Organization").select_option(label="Choose an Organization…")
    expect(receive).to_be_disabled()
    recipient_page.get_by_label("Destination Organization").select_option(label="Agence Web Sàrl")
    shots(recipient_page, "transfer-receive.png")

    # "Click the Receive the product button."
    receive.click()
    expect(recipient_page).to_have_url(re.compile(rf"/o/{agency.id}/products/\?transfer=[0-9a-f-]+$"))
    expect(recipient_page.locator(".messages")).to_contain_text(
        "The 3 products were transferred from Dupont Conseil SA to Agence Web Sàrl."
    )
    # What just arrived, and only that, with the way to every product.
    expect(recipient_page.locator(".notice")).to_contain_text(
        "Just arrived from Dupont Conseil SA: these 3 products."
    )
    expect(recipient_page.locator("main table tbody tr")).to_have_count(3)
    moved = Product.objects.filter(
        name__in=["dupont-conseil.ch", "dupont-conseil.com", "mail.dupont-conseil.com"]
    )
    assert {p.organization_id for p in moved} == {agency.id}
    assert Product.objects.get(name="*.dupont-conseil.com").organization_id == source.id

    # "You can find an ongoing transfer at any time from the bottom icon": the one just received is in
    # the history; another one, sent by email, is ongoing; one of the agency's waits for Claire.
    pending = start_transfer(
        actor=world["owner"],
        organization=source,
        product_ids=[world["certificate"].id],
        accept_terms=True,
        acknowledge_warnings=True,
    ).transfer
    send_transfer_link(actor=world["owner"], transfer=pending, email="it@rossi-digital.example")
    theirs = factories.make_product(agency, "kdrive", name="kDrive Dupont project")
    waiting = start_transfer(
        actor=world["recipient"],
        organization=agency,
        product_ids=[theirs.id],
        accept_terms=True,
        acknowledge_warnings=True,
    ).transfer
    send_transfer_link(actor=world["recipient"], transfer=waiting, email=world["owner"].email)
    open_transfers(page)
    # The badge counts the pending transfer out of here and the one waiting for her.
    expect(page.locator(".sidebar-bottom .badge")).to_have_text("2")
    ongoing = page.locator("section", has=page.get_by_role("heading", name="Ongoing transfers"))
    expect(ongoing).to_contain_text("*.dupont-conseil.com")
    expect(ongoing).to_contain_text("Sent to it@rossi-digital.example")
    expect(page.locator("section", has=page.get_by_role("heading", name="Waiting for you"))).to_contain_text(
        "kDrive Dupont project"
    )
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("Completed")
    expect(history).to_contain_text("to Agence Web Sàrl")
    shots(page, "transfers-list.png")


def test_send_the_link_to_an_email_address_and_receive_into_a_new_organization(
    world, page, sign_in, new_page, run_tasks
):
    sign_in(world["owner"].email, PASSWORD)
    open_transfers(page)
    start_a_transfer(page, "dupont-conseil.ch")

    # "Send it to the email address of your choice."
    page.get_by_label("Email address", exact=True).fill("luca@agence-web.example")
    page.get_by_label("Message (optional)").fill("Here is the website, Luca.")
    expect(page.get_by_label("Only this email address can receive it")).to_be_checked()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("The transfer link was sent to luca@agence-web.example")

    run_tasks()
    (message,) = [m for m in mail.outbox if m.to == ["luca@agence-web.example"]]
    assert "Here is the website, Luca." in message.body
    link = re.search(r"https?://\S+/transfers/receive/([\w-]+)", message.body)
    assert link is not None

    # The recipient opens the email's link before signing in: sign in, then back to the transfer.
    recipient_page = new_page()
    recipient_page.goto(f"/transfers/receive/{link.group(1)}")
    expect(recipient_page).to_have_url(
        re.compile(r"/accounts/login/\?next=/transfers/receive/%3Ftransfer%3D[0-9a-f-]+$")
    )
    sign_in_on(recipient_page, "luca@agence-web.example", open_form=False)
    expect(recipient_page).to_have_url(re.compile(r"/transfers/receive/\?transfer=[0-9a-f-]+$"))

    # "If necessary, you can create a new Organization to receive products."
    recipient_page.get_by_role("link", name="Create a new Organization", exact=True).click()
    receive = recipient_page.get_by_role("button", name="Receive the product", exact=True)
    expect(receive).to_be_disabled()
    recipient_page.get_by_label("Name of the new Organization").fill("Rossi Digital")
    recipient_page.get_by_label("I have read and accept the general conditions").check()
    receive.click()

    rossi = Organization.objects.get(name="Rossi Digital")
    expect(recipient_page).to_have_url(re.compile(rf"/o/{rossi.id}/products/\?transfer=[0-9a-f-]+$"))
    expect(recipient_page.get_by_role("link", name="dupont-conseil.ch", exact=True)).to_be_visible()
    assert Transfer.objects.get().destination_organization == rossi


def test_complete_the_transfer_into_another_organization_of_ones_own(world, page, sign_in):
    owner, source = world["owner"], world["source"]
    holding = factories.make_org("Dupont Holding SA", owner=owner)
    sign_in(owner.email, PASSWORD)
    open_transfers(page)
    start_a_transfer(page, "*.dupont-conseil.com")

    # "Complete the transfer by selecting one of the Organizations to which your user is attached."
    complete = page.locator("#complete")
    options = complete.get_by_label("Destination Organization").locator("option").all_inner_texts()
    assert options == ["Choose an Organization…", "Dupont Holding SA"]
    complete.get_by_label("Destination Organization").select_option(label="Dupont Holding SA")
    complete.get_by_label("I have read and accept the general conditions").check()
    complete.get_by_role("button", name="Complete the transfer").click()

    # "... and the selected product will be transferred there."
    expect(page).to_have_url(re.compile(rf"/o/{holding.id}/products/\?transfer=[0-9a-f-]+$"))
    expect(page.locator(".messages")).to_contain_text("from Dupont Conseil SA to Dupont Holding SA")
    assert Product.objects.get(name="*.dupont-conseil.com").organization == holding
    assert Transfer.objects.get().state == TransferState.COMPLETED
    assert source.products.filter(name="*.dupont-conseil.com").count() == 0


def test_the_manage_menu_of_a_product_starts_the_same_flow_with_it_selected(world, page, sign_in):
    domain = world["domain"]
    sign_in(world["owner"].email, PASSWORD)
    page.goto(reverse("products:detail", args=[world["source"].id, domain.id]))

    # "go directly to the dashboard of the product concerned and click on Manage"
    page.locator("details.menu > summary", has_text="Manage").click()
    page.get_by_role("link", name="Transfer to another Organization").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer products")
    expect(page.get_by_label("dupont-conseil.com", exact=True)).to_be_checked()
    expect(page.get_by_label("dupont-conseil.ch", exact=True)).not_to_be_checked()


def test_the_recipient_declines(world, page, sign_in, new_page, run_tasks):
    sign_in(world["owner"].email, PASSWORD)
    open_transfers(page)
    link = start_a_transfer(page, "dupont-conseil.ch")

    recipient_page = new_page()
    sign_in_on(recipient_page, world["recipient"].email)
    recipient_page.goto("/transfers/receive/" + link.split("/transfers/receive/")[1])
    recipient_page.get_by_role("link", name="Decline").click()
    expect(recipient_page.get_by_role("heading", level=1)).to_have_text("Decline the transfer?")
    recipient_page.get_by_label("Reason (optional)").fill("We do not host websites.")
    recipient_page.get_by_role("button", name="Decline the transfer").click()

    expect(recipient_page.get_by_role("heading", level=1)).to_have_text("Transfer declined")
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.end_reason) == (TransferState.DECLINED, "We do not host websites.")
    assert world["hosting"].organization_id == world["source"].id
    run_tasks()
    assert [m.to for m in mail.outbox] == [[world["owner"].email]]

    open_transfers(page)
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("Declined")


def test_the_initiator_cancels_and_the_link_stops_working(world, page, sign_in, new_page):
    sign_in(world["owner"].email, PASSWORD)
    open_transfers(page)
    link = start_a_transfer(page, "dupont-conseil.ch")

    page.locator("#cancel").get_by_role("link", name="Cancel the transfer").click()
    page.get_by_role("button", name="Yes, cancel the transfer").click()
    expect(page.locator(".messages")).to_contain_text("The transfer was cancelled.")
    expect(page.locator("h1 + .tag")).to_have_text("Cancelled")
    assert Transfer.objects.get().state == TransferState.CANCELLED

    recipient_page = new_page()
    sign_in_on(recipient_page, world["recipient"].email)
    response = recipient_page.goto("/transfers/receive/" + link.split("/transfers/receive/")[1])
    assert response is not None and response.status == 409
    expect(recipient_page.get_by_role("heading", level=1)).to_have_text("This transfer is no longer pending")
    expect(recipient_page.locator("body")).to_contain_text(
        "This transfer was cancelled by the sending Organization."
    )


def test_an_expired_link_says_so(world, page, sign_in, new_page):
    sign_in(world["owner"].email, PASSWORD)
    open_transfers(page)
    link = start_a_transfer(page, "dupont-conseil.ch")
    Transfer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    recipient_page = new_page()
    sign_in_on(recipient_page, world["recipient"].email)
    response = recipient_page.goto("/transfers/receive/" + link.split("/transfers/receive/")[1])
    assert response is not None and response.status == 410
    expect(recipient_page.get_by_role("heading", level=1)).to_have_text("This transfer link has expired")
    expect(recipient_page.get_by_role("button", name=re.compile("Receive"))).to_have_count(0)


def test_the_whole_flow_works_without_javascript(world, new_page):
    """Every page works without scripts: the bulk page, the warnings, and the receive form, whose
    disabled button has an always-enabled twin in <noscript>; the server checks the same rules."""
    page = new_page(javascript=False)
    sign_in_on(page, world["owner"].email)
    open_transfers(page)
    link = start_a_transfer(page, "dupont-conseil.ch")

    recipient_page = new_page(javascript=False)
    sign_in_on(recipient_page, world["recipient"].email)
    recipient_page.goto("/transfers/receive/" + link.split("/transfers/receive/")[1])
    enabled = recipient_page.locator("button[name=action][value=receive]:not([disabled])")
    expect(enabled).to_have_text("Receive the product")

    enabled.click()  # nothing chosen: refused, with the reason
    expect(recipient_page.locator(".messages")).to_contain_text(
        "Read and accept the general conditions first."
    )
    recipient_page.get_by_label("Destination Organization").select_option(label="Agence Web Sàrl")
    recipient_page.get_by_label("I have read and accept the general conditions").check()
    recipient_page.locator("button[name=action][value=receive]:not([disabled])").click()

    expect(recipient_page).to_have_url(
        re.compile(rf"/o/{world['agency'].id}/products/\?transfer=[0-9a-f-]+$")
    )
    assert Transfer.objects.get().state == TransferState.COMPLETED
