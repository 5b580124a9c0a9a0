"""General conditions: the version in force, publishing, acceptances, and the public page."""

import datetime
import importlib
import re
import uuid

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from handover.audit.context import client_ip
from handover.audit.models import AuditAction, AuditEvent
from handover.errors import NotFound
from handover.organizations.models import Role
from handover.terms.errors import (
    ConditionsVersionTaken,
    InvalidConditions,
    NoConditionsPublished,
    UnknownAcceptanceStep,
    UnknownConditionsLanguage,
)
from handover.terms.models import Acceptance, AcceptanceStep, ConditionsTranslation, GeneralConditions
from handover.terms.selectors import ConditionsText, conditions_text, current_conditions
from handover.terms.services import publish_conditions, record_acceptance
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_current_conditions_is_the_latest_published_version():
    publish_conditions(version="2025-06", title="Conditions", body="Old text.")
    newest = publish_conditions(version="2026-01", title="Conditions", body="New text.")
    assert current_conditions() == newest


def test_current_conditions_says_clearly_that_none_is_published():
    with pytest.raises(NoConditionsPublished) as caught:
        current_conditions()
    assert "No general conditions are published" in caught.value.detail


def test_publishing_refuses_a_known_version_and_empty_fields():
    publish_conditions(version="2026-01", title="Conditions", body="Text.")
    with pytest.raises(ConditionsVersionTaken):
        publish_conditions(version="2026-01", title="Again", body="Text.")
    for bad in [{"version": " "}, {"title": ""}, {"body": "\n"}, {"version": "v" * 21}]:
        with pytest.raises(InvalidConditions):
            publish_conditions(**{"version": "2026-02", "title": "T", "body": "B", **bad})
    assert GeneralConditions.objects.count() == 1


def test_record_acceptance_keeps_who_where_which_version_when_step_and_ip(owner, org, terms):
    transfer_id = uuid.uuid4()
    token = client_ip.set("203.0.113.7")
    try:
        acceptance = record_acceptance(
            user=owner, organization=org, step=AcceptanceStep.START_TRANSFER, reference=transfer_id
        )
    finally:
        client_ip.reset(token)

    acceptance.refresh_from_db()
    assert (acceptance.user, acceptance.organization, acceptance.conditions) == (owner, org, terms)
    assert (acceptance.step, acceptance.reference, acceptance.ip) == (
        "start_transfer",
        transfer_id,
        "203.0.113.7",
    )
    assert abs(acceptance.accepted_at - timezone.now()) < datetime.timedelta(seconds=5)
    [event] = AuditEvent.objects.filter(action=AuditAction.TERMS_ACCEPTED)
    assert (event.organization, event.actor, event.ip) == (org, owner, "203.0.113.7")
    assert event.details == {
        "version": terms.version,
        "language": "en",
        "step": "start_transfer",
        "reference": str(transfer_id),
    }


def test_record_acceptance_records_the_version_in_force_at_that_time(owner, org, terms):
    first = record_acceptance(user=owner, organization=org, step=AcceptanceStep.RECEIVE_TRANSFER)
    newer = publish_conditions(version="2.0", title="Conditions", body="Changed.")
    second = record_acceptance(user=owner, organization=org, step=AcceptanceStep.RECEIVE_TRANSFER)
    assert (first.conditions, second.conditions) == (terms, newer)
    assert first.ip is None and first.reference is None


def test_record_acceptance_refuses_without_published_conditions(owner, org):
    with pytest.raises(NoConditionsPublished):
        record_acceptance(user=owner, organization=org, step=AcceptanceStep.START_TRANSFER)
    assert not Acceptance.objects.exists()


def test_record_acceptance_refuses_an_unknown_step_and_a_non_member(owner, org, terms):
    with pytest.raises(UnknownAcceptanceStep):
        record_acceptance(user=owner, organization=org, step="lunch")
    with pytest.raises(NotFound):
        record_acceptance(user=factories.make_user(), organization=org, step=AcceptanceStep.SIGN_UP)
    assert not Acceptance.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_collaborator_acceptance_is_recorded_too(org, terms):
    collaborator = factories.add_member(org, role=Role.COLLABORATOR)
    assert (
        record_acceptance(user=collaborator, organization=org, step=AcceptanceStep.SIGN_UP).user
        == collaborator
    )


def test_the_data_migration_publishes_version_2026_01_once():
    migration = importlib.import_module("handover.terms.migrations.0002_publish_2026_01")

    migration.publish(django_apps, None)
    migration.publish(django_apps, None)

    conditions = current_conditions()
    assert conditions.version == "2026-01"
    assert GeneralConditions.objects.count() == 1
    for promise in ("Invoices are not transferred", "lose that access", "kSuite", "not interrupted"):
        assert promise in conditions.body


# The page


def test_the_terms_page_shows_the_current_text_and_version_to_anyone(client, terms):
    newest = publish_conditions(
        version="2026-01", title="General conditions", body="First article.\n\nSecond."
    )

    response = client.get(reverse("terms:current"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 2026-01" in page
    assert "<p>First article.</p>" in page
    assert newest.title in page


def test_the_terms_page_for_a_signed_in_user(client, owner, terms):
    client.force_login(owner)
    response = client.get(reverse("terms:current"))
    assert response.status_code == 200
    assert f"Version {terms.version}" in response.content.decode()


def test_the_terms_page_without_published_conditions_is_a_clear_error(client):
    response = client.get(reverse("terms:current"))
    assert response.status_code == 503
    assert "No general conditions are published" in response.content.decode()


# Languages

LANGUAGES = ["fr", "de", "it", "es"]
# How each language addresses the reader formally, as the whole Manager does (and never informally).
FORMAL = {"fr": "vous", "de": "Sie", "it": "Lei", "es": "usted"}
GERMAN = {"de": ("Bedingungen", "Deutsch.")}
INFORMAL = {"fr": r"\btu\b|\bton\b|\btes\b", "de": r"\bdu\b|\bdein", "it": r"\btu\b|\btuo\b", "es": r"\btú\b"}


def _publish_2026_01() -> GeneralConditions:
    """Version 2026-01 as the migrations publish it: the English text (0002), the others (0004)."""
    importlib.import_module("handover.terms.migrations.0002_publish_2026_01").publish(django_apps, None)
    importlib.import_module("handover.terms.migrations.0004_translate_2026_01").translate(django_apps, None)
    return current_conditions()


def test_the_data_migration_adds_the_four_other_languages_of_version_2026_01_once():
    conditions = _publish_2026_01()
    importlib.import_module("handover.terms.migrations.0004_translate_2026_01").translate(django_apps, None)

    texts = {t.language: t for t in conditions.translations.all()}
    assert sorted(texts) == sorted(LANGUAGES)
    english = conditions.body.split("\n\n")
    for language, text in texts.items():
        paragraphs = text.body.split("\n\n")
        # Article by article: the same numbered paragraphs as the English text, none left in English.
        assert [p.split()[0] for p in paragraphs[1:]] == [p.split()[0] for p in english[1:]], language
        assert not set(paragraphs) & set(english), language
        assert FORMAL[language] in text.body.split(), language
        assert not re.search(INFORMAL[language], text.body, re.IGNORECASE), language
        for product in ("kSuite", "kDrive", "Jelastic Cloud", "Manager"):
            assert product in text.body, (language, product)


def test_publishing_with_translations_keeps_a_text_per_language():
    conditions = publish_conditions(
        version="2026-02",
        title="Conditions",
        body="English text.",
        translations={"de": (" Bedingungen ", "Deutscher Text.\n"), "it": ("Condizioni", "Testo italiano.")},
    )

    assert {(t.language, t.title, t.body) for t in conditions.translations.all()} == {
        ("de", "Bedingungen", "Deutscher Text."),
        ("it", "Condizioni", "Testo italiano."),
    }


@pytest.mark.parametrize(
    ("translations", "error"),
    [
        ({"pt": ("Condições", "Texto.")}, UnknownConditionsLanguage),
        ({"en": ("Conditions", "The source text, twice.")}, UnknownConditionsLanguage),
        ({"fr": ("Conditions", " ")}, InvalidConditions),
        ({"fr": ("", "Texte.")}, InvalidConditions),
    ],
)
def test_publishing_refuses_a_translation_in_an_unknown_language_or_without_text(translations, error):
    with pytest.raises(error):
        publish_conditions(version="2026-02", title="Conditions", body="Text.", translations=translations)
    assert not GeneralConditions.objects.exists()
    assert not ConditionsTranslation.objects.exists()


def test_a_reader_is_shown_the_text_in_their_language_else_the_source_text():
    conditions = publish_conditions(
        version="2026-02", title="Conditions", body="English.", translations=GERMAN
    )

    assert conditions_text(conditions, "de") == ConditionsText("de", "Bedingungen", "Deutsch.")
    assert conditions_text(conditions, "de-ch").language == "de"
    assert conditions_text(conditions, "it") == ConditionsText("en", "Conditions", "English.")
    with translation.override("de"):
        assert conditions_text(conditions).title == "Bedingungen"


def test_an_acceptance_records_the_language_of_the_text_shown(owner, org):
    publish_conditions(version="2026-02", title="Conditions", body="English.", translations=GERMAN)

    with translation.override("de"):
        in_german = record_acceptance(user=owner, organization=org, step=AcceptanceStep.SIGN_UP)
    with translation.override("it"):  # no Italian text: the English one was shown
        in_italian = record_acceptance(user=owner, organization=org, step=AcceptanceStep.SIGN_UP)

    in_german.refresh_from_db()
    in_italian.refresh_from_db()
    assert (in_german.language, in_italian.language) == ("de", "en")
    details = [e.details["language"] for e in AuditEvent.objects.order_by("created_at")]
    assert details == ["de", "en"]


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_terms_page_shows_the_text_in_the_readers_language(client, language):
    conditions = _publish_2026_01()
    shown = conditions_text(conditions, language)

    response = client.get(reverse("terms:current"), HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    assert f'<article class="panel" aria-labelledby="terms-title" lang="{language}">' in page
    assert f"<title>{escape(shown.title)} · Handover</title>" in page
    first, last = shown.body.split("\n\n")[0], shown.body.split("\n\n")[-1]
    assert escape(first) in page and escape(last) in page
    others = [conditions_text(conditions, other) for other in ["en", *LANGUAGES] if other != language]
    assert not any(escape(other.body.split("\n\n")[-1]) in page for other in others)


def test_a_german_user_accepts_the_german_text_when_starting_a_transfer(client, org, owner):
    """The terms box of the start page is in German, and so is the acceptance its Transfer records."""
    conditions = _publish_2026_01()
    german = conditions_text(conditions, "de")
    owner.language = "de"
    owner.save(update_fields=["language"])
    hosting = factories.make_product(org, "web_hosting", name="shop.example")
    client.force_login(owner)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    start = reverse("transfers:start", args=[org.id])

    page = client.get(start, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(
        start,
        {
            "products": [str(hosting.id)],
            "accept_terms": "on",
            "acknowledge_warnings": "on",
            "action": "start",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert 'lang="de"' in page and escape(german.body.split("\n\n")[2]) in page
    assert response.status_code in {200, 302}
    [acceptance] = Acceptance.objects.all()
    assert (acceptance.conditions, acceptance.language) == (conditions, "de")
