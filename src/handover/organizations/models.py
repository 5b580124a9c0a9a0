from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel


class Role(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    ADMINISTRATOR = "administrator", _("Administrator")
    COLLABORATOR = "collaborator", _("Collaborator")


class Organization(UUIDModel):
    """A customer account: it holds members, products, invoices and an audit log."""

    name = models.CharField(_("name"), max_length=150)
    country = models.CharField(_("country"), max_length=2, default="CH")
    transfers_locked = models.BooleanField(
        _("outgoing transfers locked"),
        default=False,
        help_text=_("While set, no transfer out of this Organization can be started."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(UUIDModel):
    """One user's role in one Organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.COLLABORATOR)
    created_at = models.DateTimeField(default=timezone.now)
    # When the user last switched to this Organization, on any device: signing in lands there.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_user"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.role}"


class Team(UUIDModel):
    """A named group of members of one Organization; product rights can be granted to it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name
