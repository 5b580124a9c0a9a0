"""`{% conditions_text conditions as text %}`: the text of a version of the general conditions in the
language of the page, wherever a template shows it (the terms page, the terms box of a transfer)."""

from django import template

from handover.terms.models import GeneralConditions
from handover.terms.selectors import ConditionsText
from handover.terms.selectors import conditions_text as text_in_language

register = template.Library()


@register.simple_tag
def conditions_text(conditions: GeneralConditions) -> ConditionsText:
    return text_in_language(conditions)
