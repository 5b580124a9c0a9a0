"""The guide in French, German, Italian and Spanish (SPEC §4): the start page, the started transfer,
the receive page, the general conditions and the emails (the transfer link, the invitation) speak the
reader's language, with no English left on them. Each is compared with its English rendering of the
same state (tests.support.languages.english_left)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from handover.accounts.models import User
from handover.organizations.emails import membership_email
from handover.organizations.models import Role
from handover.organizations.services import add_member
from handover.terms.services import publish_conditions
from handover.transfers.emails import link_email
from handover.transfers.models import Transfer
from handover.web.demo import TERMS_BODY, TERMS_TITLE, TERMS_TRANSLATIONS, TERMS_VERSION
from tests.support import factories
from tests.support.browser import sign_in_on
from tests.support.catalogs import LANGUAGES
from tests.support.languages import english_left, segments, visible_texts

# A language's name is written in itself on the profile's list; "English" is one of them.
LANGUAGE_NAMES = ["English", "Français", "Deutsch", "Italiano", "Español"]
# The provider's product names, which no language translates.
BRANDS = ["my kSuite", "kSuite", "kDrive", "VPS", "Streaming", "Backup", "Jelastic Cloud", "Public Cloud"]


@pytest.fixture
def world(db):
    publish_conditions(
        version=TERMS_VERSION, title=TERMS_TITLE, body=TERMS_BODY, translations=TERMS_TRANSLATIONS
    )
    claire = factories.make_user("claire@dupont-conseil.example", name="Claire Dupont")
    source = factories.make_org("Dupont Conseil SA", owner=claire)
    marc = factories.add_member(
        source, factories.make_user("marc@dupont-conseil.example", name="Marc Weber"), Role.COLLABORATOR
    )
    hosting = factories.make_product(source, "web_hosting", name="dupont-conseil.ch")
    domain = factories.make_product(source, "domain", name="dupont-conseil.com")
    mailbox = factories.make_product(source, "mail_service", name="mail.dupont-conseil.com")
    domain.linked.add(mailbox)
    factories.make_product(source, "ksuite", name="kSuite Dupont")
    factories.grant(hosting, marc)
    factories.grant(domain, factories.make_team(source, marc, name="Communication"))
    factories.make_invoice(source, hosting, domain)
    luca = factories.make_user("luca@agence-web.example", name="Luca Rossi")
    factories.make_org("Agence Web Sàrl", owner=luca)
    factories.make_org("Rossi Famiglia", owner=luca)
    return {"claire": claire, "source": source, "luca": luca}


def names_in(world) -> list[str]:
    """What no translation changes: the names of the people, Organizations and products shown."""
    people = [(user.display_name, user.email) for user in User.objects.all()]
    return [
        *(text for person in people for text in person),
        *(org.name for org in world["source"].__class__.objects.all()),
        *world["source"].products.values_list("name", flat=True),
        *LANGUAGE_NAMES,
        *BRANDS,
    ]


def texts_in_both(page: Page, user: User, language: str) -> tuple[list[str], list[str]]:
    """The page's texts as `user` reads it in `language`, then in English (same address, same state)."""
    shown = {}
    for code in ("en", language):  # ends in `language`
        User.objects.filter(pk=user.pk).update(language=code)
        page.reload()
        shown[code] = visible_texts(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    return shown[language], shown["en"]


def assert_conditions_in(page: Page, language: str) -> None:
    box = page.locator(".terms-box").first
    expect(box).to_have_attribute("lang", language)
    expect(box).to_contain_text(TERMS_TRANSLATIONS[language][1].split("\n")[0])


def email_texts(message) -> list[str]:
    """The subject and the lines of the text and HTML bodies of an email."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", message.alternatives[0][0], flags=re.S)
    html = re.sub(r"<[^>]+>", "\n", html)
    return segments([message.subject, message.body, html])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guide_and_its_emails_have_no_english_left(language, world, page, new_page):
    claire, luca, source = world["claire"], world["luca"], world["source"]
    sign_in_on(page, claire.email)

    # The start page, with its general conditions in the reader's language.
    page.goto(reverse("transfers:start", args=[source.id]))
    start, start_en = texts_in_both(page, claire, language)
    assert_conditions_in(page, language)

    page.get_by_label("dupont-conseil.ch", exact=True).check()
    page.get_by_label("dupont-conseil.com", exact=True).check()
    page.locator("input[name=accept_terms]").check()
    page.locator("button[name=action][value=preview]").click()
    page.locator("input[name=acknowledge_warnings]").check()
    page.locator("button[name=action][value=start]").click()
    link = page.locator("#transfer-link").input_value()
    transfer = Transfer.objects.get()
    started, started_en = texts_in_both(page, claire, language)

    receiver = new_page()
    sign_in_on(receiver, luca.email)
    receiver.goto("/transfers/receive/" + link.split("/transfers/receive/")[1])
    receive, receive_en = texts_in_both(receiver, luca, language)
    assert_conditions_in(receiver, language)

    # The emails: the transfer link to Luca, an invitation to someone new.
    newcomer = add_member(actor=claire, organization=source, email="sam@example.com", role=Role.ADMINISTRATOR)
    emails = {}
    for code in ("en", language):
        User.objects.filter(pk__in=[luca.pk, newcomer.user_id]).update(language=code)
        luca.refresh_from_db()
        newcomer.user.refresh_from_db()
        emails[code] = [
            email_texts(link_email(transfer, link=link, email=luca.email, message="", sender=claire)),
            email_texts(membership_email(membership=newcomer, inviter=claire, invited=True)),
        ]

    names = names_in(world)
    left = {
        "start page": english_left(start, start_en, language=language, allowed=names),
        "started transfer": english_left(started, started_en, language=language, allowed=names),
        "receive page": english_left(receive, receive_en, language=language, allowed=names),
        "transfer link email": english_left(
            emails[language][0], emails["en"][0], language=language, allowed=names
        ),
        "invitation email": english_left(
            emails[language][1], emails["en"][1], language=language, allowed=names
        ),
    }
    assert {where: texts for where, texts in left.items() if texts} == {}
    # The comparison has something to compare: each rendering differs from its English one.
    for shown, english in ((start, start_en), (receive, receive_en), (emails[language][0], emails["en"][0])):
        assert len(set(shown) - set(english)) > 10
