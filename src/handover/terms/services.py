"""General conditions: publishing versions and recording each acceptance."""

from collections.abc import Mapping
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.context import client_ip
from handover.audit.models import AuditAction
from handover.audit.services import record_event
from handover.organizations.access import require_member
from handover.organizations.models import Organization
from handover.terms.errors import (
    ConditionsVersionTaken,
    InvalidConditions,
    UnknownAcceptanceStep,
    UnknownConditionsLanguage,
)
from handover.terms.models import Acceptance, AcceptanceStep, ConditionsTranslation, GeneralConditions
from handover.terms.selectors import conditions_text, current_conditions


def _text(title: str, body: str) -> tuple[str, str]:
    """A title and a text, stripped; InvalidConditions if either is empty or the title too long."""
    title, body = (title or "").strip(), (body or "").strip()
    if not (title and body) or len(title) > 200:
        raise InvalidConditions()
    return title, body


def _translations(translations: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The texts by language, checked: each in a language of the site other than the source one."""
    others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    for language in translations:
        if language not in others:
            raise UnknownConditionsLanguage(
                language=language, valid=", ".join(others), source=settings.LANGUAGE_CODE
            )
    return {language: _text(*text) for language, text in translations.items()}


@transaction.atomic
def publish_conditions(
    *, version: str, title: str, body: str, translations: Mapping[str, tuple[str, str]] | None = None
) -> GeneralConditions:
    """Publish a new version of the general conditions; it is in force from now on (an operator's
    action). `title` and `body` are its text in the source language (settings.LANGUAGE_CODE),
    `translations` its (title, text) in other languages of the site, by language code; a reader whose
    language has none is shown the source text.

    Raises InvalidConditions for an empty field, UnknownConditionsLanguage for a translation in no other
    language of the site, and ConditionsVersionTaken for a known version.
    """
    version = (version or "").strip()
    title, body = _text(title, body)
    texts = _translations(translations or {})
    if not version or len(version) > 20:
        raise InvalidConditions()
    if GeneralConditions.objects.filter(version=version).exists():
        raise ConditionsVersionTaken(version=version)
    try:
        with transaction.atomic():
            conditions = GeneralConditions.objects.create(
                version=version, title=title, body=body, published_at=timezone.now()
            )
    except IntegrityError as exc:
        raise ConditionsVersionTaken(version=version) from exc
    ConditionsTranslation.objects.bulk_create(
        ConditionsTranslation(conditions=conditions, language=language, title=text[0], body=text[1])
        for language, text in texts.items()
    )
    return conditions


@transaction.atomic
def record_acceptance(
    *, user: User, organization: Organization, step: str, reference: UUID | None = None
) -> Acceptance:
    """Record that `user`, a member of `organization`, accepted the version in force for it at `step`
    (`reference`: the transfer it was for), with the request's IP address and the language of the text
    they were shown (the request's, when the version has a text in it; else the source language);
    audited in `organization`.

    Raises NoConditionsPublished, UnknownAcceptanceStep, and NotFound for a non-member.
    """
    require_member(user=user, organization=organization)
    if step not in AcceptanceStep.values:
        raise UnknownAcceptanceStep(step=step, valid=", ".join(AcceptanceStep.values))
    conditions = current_conditions()
    language = conditions_text(conditions).language
    acceptance = Acceptance.objects.create(
        conditions=conditions,
        user=user,
        organization=organization,
        step=step,
        reference=reference,
        ip=client_ip.get(),
        language=language,
    )
    record_event(
        actor=user,
        organization=organization,
        action=AuditAction.TERMS_ACCEPTED,
        target=conditions,
        details={
            "version": conditions.version,
            "language": language,
            "step": step,
            "reference": str(reference) if reference else None,
        },
    )
    return acceptance
