from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization


class GeneralConditions(UUIDModel):
    """One published version of the general conditions; the newest one is in force.

    `title` and `body` are its text in the source language, settings.LANGUAGE_CODE; its texts in the
    other languages are its `translations`. A reader is shown the text in their language, else this one.
    """

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name_plural = _("general conditions")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ConditionsTranslation(UUIDModel):
    """The text of one version of the general conditions in a language other than the source one."""

    conditions = models.ForeignKey(GeneralConditions, on_delete=models.PROTECT, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        constraints = [
            models.UniqueConstraint(fields=["conditions", "language"], name="one_text_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.conditions} ({self.language})"


class AcceptanceStep(models.TextChoices):
    START_TRANSFER = "start_transfer", _("Starting a transfer")
    RECEIVE_TRANSFER = "receive_transfer", _("Receiving a transfer")
    SIGN_UP = "sign_up", _("Signing up")


class Acceptance(UUIDModel):
    """A record that one user accepted one version, for one Organization, at one step."""

    conditions = models.ForeignKey(GeneralConditions, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acceptances")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="acceptances")
    step = models.CharField(max_length=32, choices=AcceptanceStep.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_at = models.DateTimeField(default=timezone.now)
    reference = models.UUIDField(null=True, blank=True, help_text=_("The transfer this acceptance was for."))
    # The database default is true of every row written before texts had languages: all were shown
    # the source text, and so are rows an older app server writes during a rolling upgrade.
    language = models.CharField(
        _("language"),
        max_length=10,
        db_default=settings.LANGUAGE_CODE,
        help_text=_("The language of the text the user was shown and accepted."),
    )

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.conditions} ({self.step})"
