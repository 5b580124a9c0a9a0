"""Emails: the plain-text part and the subject are plain text, never HTML-escaped; the HTML part
escapes what it shows. Checked on Handover's own emails and on allauth's."""

from django.core import mail

from handover.organizations.models import Role
from handover.organizations.services import add_member, rename_organization
from handover.transfers.services import send_transfer_link

NAME = "Smith & Sons <Ltd>"
ESCAPED = "Smith &amp; Sons &lt;Ltd&gt;"


def _parts(message):
    [(html, _type)] = message.alternatives
    return message.subject, message.body, html


def test_plain_text_emails_and_subjects_are_not_html_escaped(org, owner, started, run_tasks):
    rename_organization(actor=owner, organization=org, name=NAME)
    add_member(actor=owner, organization=org, email="new@example.com", role=Role.COLLABORATOR)
    send_transfer_link(actor=owner, transfer=started.transfer, email="rita@example.com", message="Q&A <3")
    run_tasks()

    invitation, link = sorted(mail.outbox, key=lambda m: m.to)
    for message in (invitation, link):
        subject, text, html = _parts(message)
        assert NAME in subject and NAME in text, (subject, text)
        assert "&amp;" not in subject + text and "&lt;" not in subject + text
        assert ESCAPED in html and NAME not in html
    assert "Q&A <3" in link.body and "Q&amp;A &lt;3" in _parts(link)[2]


def test_allauths_emails_are_not_html_escaped_either(client, db):
    client.post(
        "/accounts/signup/",
        {
            "email": "smith@example.com",
            "name": NAME,
            "password1": "A-long-pass-9876",
            "password2": "A-long-pass-9876",
        },
    )

    [confirmation] = mail.outbox
    assert NAME in confirmation.body
    assert "&amp;" not in confirmation.subject + confirmation.body
