"""allauth's pages, messages and emails (sign-in, sign-up, passwords, email addresses) speak as the rest of
the Manager does: formally (Sie, vous, Lei, usted), in the person's language, naming the product."""

import gettext
import re
from pathlib import Path

import allauth
import django
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from handover.accounts.models import User
from tests.support import factories
from tests.support.catalogs import LANGUAGES, placeholders, read_po
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db

OVERRIDES = Path(__file__).resolve().parents[2] / "src" / "handover" / "locale_overrides"
# The catalogs whose messages the app words its own way.
THEIRS = [
    Path(allauth.__file__).resolve().parent / "locale",
    Path(django.__file__).resolve().parent / "contrib" / "auth" / "locale",
    Path(django.__file__).resolve().parent / "conf" / "locale",
]
# Words that address the reader informally, none of which the formal wording uses.
INFORMAL = {
    "fr": r"\b(?:tu|toi|te|ton|ta|tes)\b|courriel",
    "de": r"\b(?:du|dich|dir|dein|deine|deinen|deinem|deiner|deines|bist|hast|kannst|musst|willst)\b",
    "it": r"\b(?:tu|tuo|tua|tuoi|tue|hai|sei|puoi|devi|vuoi|ti)\b",
    "es": r"\b(?:tú|tu|tus|ti|tienes|puedes|debes|quieres|estás|te)\b",
}
SIGNED_OUT = ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
SIGNED_IN = [
    "account_logout",
    "account_reauthenticate",
    "account_email",
    "account_change_password",
    "mfa_index",
]
SIGNED_IN_AS = {
    "fr": "Vous êtes connecté en tant que",
    "de": "Erfolgreich als",
    "it": "Accesso effettuato come",
    "es": "Ha iniciado sesión exitosamente como",
}


def _text(html: str) -> str:
    """What a person reads on the page: its text, without tags, scripts or attributes' code."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def _entries(path: Path):
    return read_po(path)[1:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_wording_still_replaces_a_message_of_allauth_or_django_and_keeps_itsplaceholders(language):
    ours = _entries(OVERRIDES / language / "LC_MESSAGES" / "django.po")
    theirs = {
        entry.key for path in THEIRS for entry in _entries(path / language / "LC_MESSAGES" / "django.po")
    }
    with (OVERRIDES / language / "LC_MESSAGES" / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    texts = [(e, index, text) for e in ours for index, text in e.msgstr.items()]

    assert ours
    assert [entry.msgid for entry in ours if entry.key not in theirs] == []
    assert [
        e.msgid
        for e, i, text in texts
        if placeholders(text) != placeholders(e.msgid_plural if i else e.msgid)
    ] == []
    assert [
        e.msgid for e in ours if e.msgid_plural is None and compiled.gettext(e.msgid) != e.msgstr[0]
    ] == []
    assert [e.msgid for e, _i, text in texts if re.search(INFORMAL[language], text, re.IGNORECASE)] == []


def _as_shown(entry) -> list[str]:
    """The entry's text as the app shows it in the active language (its own wording, else allauth's)."""
    if entry.msgid_plural is None:
        return [translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else _(entry.msgid)]
    return [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_allauth_reads_formally_as_the_app_shows_it(language):
    """Pages and features not enabled today included: turning one on must not bring the informal back."""
    messages = _entries(THEIRS[0] / language / "LC_MESSAGES" / "django.po")
    with translation.override(language):
        shown = [(entry.msgid, text) for entry in messages for text in _as_shown(entry)]
    assert len(shown) > 300
    assert [
        (msgid, text) for msgid, text in shown if re.search(INFORMAL[language], text, re.IGNORECASE)
    ] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_allauths_pages_address_the_reader_formally(client, language, terms):
    pages = {name: client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language) for name in SIGNED_OUT}
    user = factories.make_user(f"{language}@example.com")
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    pages |= {name: client.get(reverse(name)) for name in SIGNED_IN}

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    informal = {
        name: re.findall(INFORMAL[language], _text(page.content.decode()), re.IGNORECASE)
        for name, page in pages.items()
    }
    assert {name: words for name, words in informal.items() if words} == {}
    assert all(f'<html lang="{language}">' in page.content.decode() for page in pages.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_in_says_so_in_the_language_of_the_profile_not_of_the_browser(client, language):
    user = factories.make_user(f"{language}@example.com", name="Pat")
    user.language = language
    user.save(update_fields=["language"])

    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    page = response.content.decode()
    assert SIGNED_IN_AS[language] in page
    assert "Successfully signed in" not in page


def test_the_verification_email_names_the_product_and_its_address_formally(client, settings):
    settings.BASE_URL = "https://manager.example.com"
    client.post(
        reverse("account_signup"),
        {
            "email": "sam@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "name": "Sam",
        },
        HTTP_ACCEPT_LANGUAGE="de",
    )

    [email] = mail.outbox
    assert User.objects.filter(email="sam@example.com").exists()
    assert email.subject == "[Handover] Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "Hallo von Handover!" in email.body
    assert "manager.example.com" in email.body
    assert "testserver!" not in email.body  # the greeting names the product, not the host
    assert not re.search(INFORMAL["de"], email.body, re.IGNORECASE)
