"""The layout on a phone and with the keyboard: the sidebar behind a menu button, tables as cards, tap
targets of 24 px, a focus ring that shows on every background, and menus that behave as disclosure
widgets (Escape, a click elsewhere, arrow keys) and that no table clips."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from handover.organizations.models import Role
from handover.transfers.services import start_transfer
from tests.support import factories

PHONE = {"width": 390, "height": 844}

CONTRAST = """([a, b]) => {
    const luminance = (color) => {
        const [r, g, b] = color.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((c) => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (high + 0.05) / (low + 0.05);
}"""


@pytest.fixture
def owner_with_a_pending_transfer(terms):
    owner = factories.make_user("owner@example.com", name="Olivia Owner")
    org = factories.make_org("Source SA", owner=owner)
    factories.make_org("Second SA", owner=owner)
    factories.add_member(
        org, factories.make_user("colleague@example.com", name="Carl Colleague"), Role.COLLABORATOR
    )
    products = factories.make_products(org, 3)
    start_transfer(
        actor=owner,
        organization=org,
        product_ids=[products[0].id],
        accept_terms=True,
        acknowledge_warnings=True,
    )
    return owner, org


def _open_page_of(page: Page, sign_in, owner, path: str) -> None:
    sign_in(owner.email)
    page.goto(path)


def _menu_item_is_reachable(page: Page, item) -> bool:
    """Whether a click at the middle of `item` lands on it (nothing clips or covers it)."""
    return item.evaluate(
        """(el) => {
            const box = el.getBoundingClientRect();
            const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return box.width > 0 && (hit === el || el.contains(hit));
        }"""
    )


@pytest.mark.parametrize("width", [1280, 700])
def test_the_actions_menu_of_a_pending_transfer_is_not_clipped_by_its_table(
    page, sign_in, owner_with_a_pending_transfer, width
):
    owner, org = owner_with_a_pending_transfer
    page.set_viewport_size({"width": width, "height": 700})
    _open_page_of(page, sign_in, owner, reverse("transfers:list", args=[org.id]))

    menu = page.locator("details.menu").first
    menu.locator("summary").click()
    items = menu.locator("ul a")

    assert items.count() == 4
    assert all(_menu_item_is_reachable(page, items.nth(i)) for i in range(4))
    items.last.click()
    expect(page).to_have_url(re.compile(r"/transfers/[0-9a-f-]+/cancel/$"))  # its confirm step


def test_menus_open_move_and_close_with_the_keyboard_and_close_on_a_click_elsewhere(
    page, sign_in, owner_with_a_pending_transfer
):
    owner, org = owner_with_a_pending_transfer
    _open_page_of(page, sign_in, owner, reverse("transfers:list", args=[org.id]))
    switcher = page.locator("details.switcher")
    links = switcher.locator("ul a")

    switcher.locator("summary").focus()
    page.keyboard.press("ArrowDown")
    expect(switcher).to_have_attribute("open", "")
    expect(links.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(links.last).to_be_focused()
    page.keyboard.press("ArrowDown")  # round to the first
    expect(links.first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(links.last).to_be_focused()
    page.keyboard.press("Escape")
    expect(switcher).not_to_have_attribute("open", "")
    expect(switcher.locator("summary")).to_be_focused()

    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("open", "")
    actions = page.locator("details.menu").first
    actions.locator("summary").click()  # opening another menu closes the first
    expect(switcher).not_to_have_attribute("open", "")
    expect(actions).to_have_attribute("open", "")
    page.locator("h1").click()
    expect(actions).not_to_have_attribute("open", "")
    actions.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the menu, then out of it
    expect(actions.locator("ul a").first).to_be_focused()
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(actions).not_to_have_attribute("open", "")


def test_the_switcher_is_named_with_the_current_organization(page, sign_in, owner_with_a_pending_transfer):
    owner, org = owner_with_a_pending_transfer
    _open_page_of(page, sign_in, owner, reverse("products:list", args=[org.id]))

    snapshot = page.locator("nav.sidebar").aria_snapshot()

    assert "Switch Organization: Source SA" in snapshot


def test_on_a_phone_the_sidebar_opens_from_a_menu_button_and_tables_become_cards(
    page, sign_in, owner_with_a_pending_transfer
):
    owner, org = owner_with_a_pending_transfer
    page.set_viewport_size(PHONE)
    _open_page_of(page, sign_in, owner, reverse("organizations:members", args=[org.id]))
    members = page.locator("nav.sidebar").get_by_role("link", name="Members")

    expect(members).to_be_hidden()
    page.get_by_text("Menu").click()
    expect(members).to_be_visible()
    page.get_by_text("Menu").click()
    expect(members).to_be_hidden()

    cell = page.locator("main table tbody td").first
    assert cell.evaluate("(td) => getComputedStyle(td).display") == "block"
    assert cell.evaluate("(td) => getComputedStyle(td, '::before').content") == '"Name"'
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_without_javascript_the_phones_menu_is_open_and_works(new_page, owner_with_a_pending_transfer):
    owner, org = owner_with_a_pending_transfer
    page = new_page(javascript=False)
    page.set_viewport_size(PHONE)
    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(owner.email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(reverse("products:list", args=[org.id]))

    members = page.locator("nav.sidebar").get_by_role("link", name="Members")
    expect(members).to_be_visible()
    page.get_by_text("Menu").click()
    expect(members).to_be_hidden()
    page.get_by_text("Menu").click()
    members.click()
    expect(page).to_have_url(re.compile(r"/members/$"))


def test_a_table_a_template_left_unlabelled_gets_its_column_names_on_a_phone(
    page, sign_in, owner_with_a_pending_transfer
):
    owner, org = owner_with_a_pending_transfer
    page.set_viewport_size(PHONE)
    _open_page_of(page, sign_in, owner, reverse("products:list", args=[org.id]))

    labels = (
        page.locator("main table tbody tr")
        .first.locator("td")
        .evaluate_all("(cells) => cells.map((td) => td.dataset.label)")
    )
    headers = page.locator("main table thead th").all_inner_texts()

    assert labels == [h.strip() for h in headers]
    assert page.locator("main table").get_attribute("role") == "table"


def test_checkboxes_and_links_in_rows_are_tap_targets_of_24_px(page, sign_in, owner_with_a_pending_transfer):
    owner, org = owner_with_a_pending_transfer
    page.set_viewport_size(PHONE)
    _open_page_of(page, sign_in, owner, reverse("organizations:teams", args=[org.id]))
    # With the products that cannot move shown: their rows link to the pending transfer.
    page.goto(reverse("transfers:start", args=[org.id]) + "?blocked=1")

    boxes = page.locator("main input[type=checkbox]")
    links = page.locator("main td a")
    assert boxes.count() > 0 and links.count() > 0
    for target in [*boxes.all(), *links.all()]:
        box = target.bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, target


def test_the_focus_ring_contrasts_3_to_1_with_white_and_with_the_sidebar(
    page, sign_in, owner_with_a_pending_transfer
):
    owner, org = owner_with_a_pending_transfer
    _open_page_of(page, sign_in, owner, reverse("products:list", args=[org.id]))
    ratios = []
    for link, background in [
        (page.locator("nav.sidebar .nav a").first, "nav.sidebar"),
        (page.locator("main table a").first, "body"),
        (page.locator(".topbar a").first, "body"),
    ]:
        link.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # a keyboard focus, which is what :focus-visible shows
        expect(link).to_be_focused()
        ring = link.evaluate("(a) => getComputedStyle(a).outlineColor")
        behind = page.locator(background).evaluate("(el) => getComputedStyle(el).backgroundColor")
        assert link.evaluate("(a) => getComputedStyle(a).outlineStyle") == "solid"
        ratios.append(page.evaluate(CONTRAST, [ring, behind]))
        ratios.append(page.evaluate(CONTRAST, [ring, "rgb(255, 255, 255)"]))
    assert min(ratios) >= 3, ratios
