import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization, Team
from handover.products.catalogue import ProductType, product_type, type_choices

_DIGITS = re.compile(r"\d+")


def natural_key(name: str) -> str:
    """`name` in lower case with each run of digits written as its length (two digits) then its value,
    so that ordering by the key orders names as people read them: `bulk-2` before `bulk-10`, in SQL, on
    SQLite and PostgreSQL alike (a plain string comparison of the keys)."""

    def number(match: re.Match[str]) -> str:
        digits = match.group().lstrip("0") or "0"
        return f"{len(digits):02d}{digits}"

    return _DIGITS.sub(number, name.casefold())


class NaturalKeyField(models.TextField):
    """The natural sort key of another field (`natural_key`), written on every save and bulk_create."""

    def __init__(self, *args: Any, source: str = "name", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        kwargs.pop("default", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = natural_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


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
    # Lists sort by it (`bulk-2` before `bulk-10`); ties by name, then id.
    name_key = NaturalKeyField(source="name")
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
            models.Index(fields=["organization", "name_key", "id"], name="product_org_natural_name"),
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
