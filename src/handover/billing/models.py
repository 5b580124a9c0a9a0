from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization
from handover.products.models import Product


class Invoice(UUIDModel):
    """An invoice issued to one Organization. Invoices never move, whatever happens to the products."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    paid = models.BooleanField(_("paid"), default=False)

    class Meta:
        ordering = ["-issued_on", "-number"]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(UUIDModel):
    """One line of an invoice; it may name a product, which it keeps naming after a transfer."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(_("description"), max_length=255)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["description"]

    def __str__(self) -> str:
        return self.description
