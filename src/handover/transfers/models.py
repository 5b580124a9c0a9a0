from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization
from handover.products.models import Product


class TransferState(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class Transfer(UUIDModel):
    """The move of a set of products out of one Organization, from start to its one outcome.

    Only `pending` has a future. The link's secret is never stored: it is derived from `link_nonce`
    (128 random bits) and the server's SECRET_KEY, and looked up by its SHA-256, `link_hash`. The
    link dies with the right of `link_issued_by` (SPEC §6.2); without a link, `link_hash` is None.
    """

    source_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="outgoing_transfers"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=TransferState.choices, default=TransferState.PENDING
    )
    note = models.TextField(_("note to the recipient"), blank=True, max_length=2000)
    link_nonce = models.CharField(max_length=32, blank=True)
    link_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_created_at = models.DateTimeField(null=True, blank=True)
    link_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Who made the current link (started, renewed or sent it): it works only while they may "
            "manage the source's transfers."
        ),
    )
    bound_email = models.EmailField(
        blank=True,
        help_text=_("When set, only a signed-in user with this verified email can receive."),
    )
    product_count = models.PositiveIntegerField(
        _("number of products"), default=0, help_text=_("Set once, when the transfer starts.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    destination_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incoming_transfers",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source_organization", "state", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=TransferState.values), name="transfer_state_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="completed")
                | models.Q(destination_organization__isnull=False, completed_at__isnull=False),
                name="completed_transfer_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.id} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == TransferState.PENDING

    @property
    def current_state(self) -> str:
        """The state as readers see it: past its expiry a pending transfer reads `expired`, whether or
        not the periodic sweep has marked it yet (receiving refuses it either way)."""
        if self.state == TransferState.PENDING and self.expires_at <= timezone.now():
            return TransferState.EXPIRED
        return self.state

    @property
    def current_state_label(self) -> str:
        return str(TransferState(self.current_state).label)


class TransferItem(UUIDModel):
    """One product of a transfer. `pending` mirrors the transfer's state so that the database
    itself refuses a product in two pending transfers (a partial unique index). `position` ranks the
    items by product name when the transfer starts: its first products and its pages are index scans.

    The items of completed transfers are each product's record of where it was when: with their
    transfer's source, destination and times, they answer a product's history (see
    selectors.product_transfer_history), while the audit log keeps one event per Organization per
    transfer, not one per product.
    """

    # Looked up through the two unique indexes below, which lead with each: no index of their own.
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="items", db_index=False)
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="transfer_items", db_index=False
    )
    position = models.PositiveIntegerField(help_text=_("1 for the first product by name, and so on."))
    pending = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "transfer"], name="product_once_per_transfer"),
            models.UniqueConstraint(fields=["transfer", "position"], name="one_item_per_position"),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(pending=True),
                name="one_pending_transfer_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.transfer_id}"


class LinkAttempt(UUIDModel):
    """A failed attempt to use a transfer link, counted per user and per address to stop guessing."""

    key = models.CharField(max_length=80, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} at {self.created_at:%Y-%m-%d %H:%M:%S}"
