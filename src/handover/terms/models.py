from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization


class GeneralConditions(UUIDModel):
    """One published version of the general conditions; the newest one is in force."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name_plural = _("general conditions")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


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

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.conditions} ({self.step})"
