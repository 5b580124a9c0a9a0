"""Errors about the general conditions."""

from django.utils.translation import gettext_lazy as _

from handover.errors import Conflict, DomainError, InvalidInput


class NoConditionsPublished(DomainError):
    # A deployment fault rather than a user's: 503, so that it is noticed and not retried as-is.
    code = "terms_not_published"
    status = 503
    message = _(
        "No general conditions are published yet, so nothing that needs them can be done. "
        "An operator must publish a version first."
    )


class ConditionsVersionTaken(Conflict):
    code = "terms_version_taken"
    message = _("Version “%(version)s” of the general conditions is already published.")


class InvalidConditions(InvalidInput):
    code = "invalid_terms"
    message = _("A version (at most 20 characters), a title (at most 200) and a text are required.")


class UnknownAcceptanceStep(InvalidInput):
    code = "unknown_acceptance_step"
    message = _("Unknown step “%(step)s”. Valid steps: %(valid)s.")


class UnknownConditionsLanguage(InvalidInput):
    code = "unknown_terms_language"
    message = _(
        "The general conditions cannot be published in “%(language)s”: a translation must be in one of "
        "%(valid)s, the source text is in %(source)s."
    )
