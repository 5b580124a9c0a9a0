"""In a browser, an administrator of several Organizations switches to one of them with the sidebar
switcher, opens a product's dashboard and finds "Transfer to another Organization" in its
"Manage" menu, as the guide's alternative method describes."""

import re

import pytest
from playwright.sync_api import expect

from handover.organizations.models import Organization
from handover.products.catalogue import KSUITE_REFUSAL
from handover.products.models import Product
from handover.web.demo import DEMO_PASSWORD, DUPONT, LUCA, load_demo


@pytest.fixture
def demo(settings):
    # The live server reads the same settings: a fast hasher spares six slow password hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()


def switch_to(page, organization_name: str) -> None:
    switcher = page.locator("details.switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("link", name=organization_name).click()
    expect(switcher.locator(".switcher-name")).to_have_text(organization_name)


def open_manage_menu(page, product: Product) -> None:
    page.get_by_role("link", name=product.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)
    page.locator("details.menu > summary", has_text="Manage").click()


def test_the_manage_menu_of_a_product_offers_its_transfer(demo, page, sign_in):
    dupont = Organization.objects.get(name=DUPONT)
    domain = Product.objects.get(organization=dupont, type="domain", name="dupont-conseil.com")

    sign_in(LUCA, DEMO_PASSWORD)
    switch_to(page, DUPONT)
    expect(page).to_have_url(re.compile(rf"/o/{dupont.id}/products/$"))
    open_manage_menu(page, domain)

    transfer = page.get_by_role("link", name="Transfer to another Organization")
    expect(transfer).to_be_visible()
    assert str(domain.id) in transfer.get_attribute("href")


def test_the_manage_menu_of_a_ksuite_says_why_it_cannot_move(demo, page, sign_in):
    dupont = Organization.objects.get(name=DUPONT)
    ksuite = Product.objects.get(organization=dupont, type="ksuite")

    sign_in(LUCA, DEMO_PASSWORD)
    switch_to(page, DUPONT)
    open_manage_menu(page, ksuite)

    menu = page.locator("details.menu[open]")
    expect(menu).to_contain_text("Transfer to another Organization")
    expect(menu).to_contain_text(str(KSUITE_REFUSAL))
    expect(menu.get_by_role("link", name="Transfer to another Organization")).to_have_count(0)
