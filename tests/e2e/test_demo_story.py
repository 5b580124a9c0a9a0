"""The demo's own story, as someone trying `make run` would follow it: Claire finds the transfer link
that Luca sent her in the local mailbox, opens it, and receives the product into her Organization."""

import re

import pytest
from playwright.sync_api import expect

from handover.organizations.models import Organization
from handover.products.models import Product
from handover.transfers.models import Transfer, TransferState
from handover.web.demo import ALPINE, CLAIRE, DEMO_PASSWORD, PENDING_TRANSFER, load_demo


@pytest.fixture
def demo(settings, tmp_path, run_tasks, live_server):
    settings.BASE_URL = live_server.url  # as `handover serve` sets it: links name the address served
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "handover.web.mailbox.MailboxBackend"
    settings.MAILBOX_DIR = tmp_path / "mailbox"
    load_demo()
    run_tasks()  # what the task worker beside `handover serve` does: the emails land in the mailbox


def test_claire_receives_the_demo_transfer_from_the_link_in_the_local_mailbox(demo, page, sign_in):
    (product_type, product_name), *_ = PENDING_TRANSFER.products
    alpine = Organization.objects.get(name=ALPINE)

    sign_in(CLAIRE, DEMO_PASSWORD)
    page.goto("/mailbox/")
    mail = page.locator("article.mail", has_text=product_name).filter(has_text=CLAIRE).first
    mail.locator("a[href*='/transfers/receive/']").click()

    expect(page).to_have_url(
        re.compile(r"/transfers/receive/\?transfer=[0-9a-f-]+$")
    )  # the secret left the address bar
    expect(page.locator("body")).to_contain_text(PENDING_TRANSFER.note)
    page.get_by_label("Destination Organization").select_option(label=ALPINE)
    page.get_by_label("I have read and accept the general conditions").check()
    page.get_by_role("button", name="Receive the product").click()

    expect(page).to_have_url(re.compile(rf"/o/{alpine.id}/products/\?transfer=[0-9a-f-]+$"))
    expect(page.get_by_role("link", name=product_name, exact=True)).to_be_visible()
    assert Product.objects.get(type=product_type, name=product_name).organization == alpine
    assert Transfer.objects.get().state == TransferState.COMPLETED
