"""Reads of the general conditions."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from handover.terms.errors import NoConditionsPublished
from handover.terms.models import GeneralConditions


@dataclass(frozen=True)
class ConditionsText:
    """What a reader is shown of one version of the general conditions: its title and text in `language`."""

    language: str
    title: str
    body: str


def current_conditions() -> GeneralConditions:
    """The version in force: the most recently published one. Raises NoConditionsPublished if none is."""
    conditions = GeneralConditions.objects.order_by("-published_at", "-version").first()
    if conditions is None:
        raise NoConditionsPublished()
    return conditions


def conditions_text(conditions: GeneralConditions, language: str | None = None) -> ConditionsText:
    """The text of `conditions` shown to a reader of `language` (by default the active language, that
    of the request): its translation into that language, else the source text (settings.LANGUAGE_CODE).

    Pages show this text and acceptances record its language, so both always agree. Uses the
    prefetched `translations` when there are any; costs no query for the source language.
    """
    wanted = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    if wanted != settings.LANGUAGE_CODE:
        for text in conditions.translations.all():
            if text.language == wanted:
                return ConditionsText(language=wanted, title=text.title, body=text.body)
    return ConditionsText(language=settings.LANGUAGE_CODE, title=conditions.title, body=conditions.body)
