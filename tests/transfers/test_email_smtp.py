"""The transfer link by email through a real SMTP server: sent by the worker, read out of the
delivered message, and received with."""

import re
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from handover.products.models import Product
from handover.transfers.models import TransferState
from handover.transfers.services import receive_transfer, send_transfer_link
from tests.support.servers import free_port


class Mailbox:
    """aiosmtpd's handler: keeps every delivered message with its envelope."""

    def __init__(self):
        self.delivered = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.delivered.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    controller.stop()


def test_the_link_travels_through_smtp_and_receives_the_products(
    smtp_server, start, org, owner, recipient, destination, hosting, run_tasks
):
    started = start(owner, org, hosting)
    send_transfer_link(actor=owner, transfer=started.transfer, email=recipient.email, message="For you")
    assert smtp_server.delivered == []  # queued in the transaction, not sent by the request

    run_tasks()

    [(sender, recipients, content)] = smtp_server.delivered
    assert recipients == [recipient.email]
    assert "no-reply@handover.localhost" in sender
    message = message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "Source SA is transferring a product to you"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "For you" in text
    token = re.search(r"/transfers/receive/(\S+)", text).group(1)
    assert token in html

    transfer = receive_transfer(actor=recipient, token=token, destination=destination, accept_terms=True)
    assert transfer.state == TransferState.COMPLETED
    assert Product.objects.get(pk=hosting.pk).organization == destination

    run_tasks()  # the "transfer completed" notices go out through the same server
    assert sorted(r for _, rcpts, _ in smtp_server.delivered[1:] for r in rcpts) == [
        "owner@example.com",
        "recipient@example.com",
    ]
