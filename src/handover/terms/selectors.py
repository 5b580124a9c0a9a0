"""Reads of the general conditions."""

from handover.terms.errors import NoConditionsPublished
from handover.terms.models import GeneralConditions


def current_conditions() -> GeneralConditions:
    """The version in force: the most recently published one. Raises NoConditionsPublished if none is."""
    conditions = GeneralConditions.objects.order_by("-published_at", "-version").first()
    if conditions is None:
        raise NoConditionsPublished()
    return conditions
