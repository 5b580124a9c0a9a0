from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization, Team
from handover.products.catalogue import ProductType, product_type, type_choices


class ProductStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class AccessLevel(models.TextChoices):
    MANAGE = "manage", _("Manage")
    USE = "use", _("Use")


class Product(UUIDModel):
    """One subscribed service, owned by exactly one Organization at any instant.

    `service_ref` names the running service; no change of Organization ever touches it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products")
    type = models.CharField(_("type"), max_length=32, choices=type_choices)
    name = models.CharField(_("name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.ACTIVE
    )
    service_ref = models.CharField(_("service reference"), max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    renews_on = models.DateField(_("renewal date"), null=True, blank=True)
    linked = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("linked products"))

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["organization", "type"]),
            models.Index(fields=["organization", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProductStatus.values), name="product_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def product_type(self) -> ProductType:
        return product_type(self.type)


class ProductAccess(UUIDModel):
    """A right of one user or one team on a product: `manage` it or `use` it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="product_accesses",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="product_accesses"
    )
    level = models.CharField(_("level"), max_length=8, choices=AccessLevel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, team__isnull=True)
                | models.Q(user__isnull=True, team__isnull=False),
                name="access_to_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["product", "user"],
                condition=models.Q(user__isnull=False),
                name="one_access_per_user",
            ),
            models.UniqueConstraint(
                fields=["product", "team"],
                condition=models.Q(team__isnull=False),
                name="one_access_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} {self.level} {self.product}"
