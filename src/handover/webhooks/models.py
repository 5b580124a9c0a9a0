from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization


class EventType(models.TextChoices):
    TRANSFER_STARTED = "transfer.started", _("Transfer started")
    TRANSFER_COMPLETED = "transfer.completed", _("Transfer completed")
    TRANSFER_CANCELLED = "transfer.cancelled", _("Transfer cancelled")
    TRANSFER_DECLINED = "transfer.declined", _("Transfer declined")
    TRANSFER_EXPIRED = "transfer.expired", _("Transfer expired")


class WebhookEndpoint(UUIDModel):
    """An address of an Organization's own system that hears the `events` it subscribed to.

    The secret signs each delivery, so it is kept as it was given (a hash could not sign); after a
    rotation the previous one keeps signing beside it until `previous_secret_expires_at`.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list, help_text=_("The event types it receives."))
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(UUIDModel):
    """One change as one Organization's endpoints hear it; `body` is the exact JSON sent (every
    attempt of every delivery sends these bytes), fixed in the transaction of the change."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    transfer_id = models.UUIDField(null=True, blank=True, db_index=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(UUIDModel):
    """The sending of one event to one endpoint, until it is delivered (a 2xx answer) or given up.

    A worker claims it until `claimed_until` (longer than one attempt can take): a worker that dies
    mid-attempt leaves the claim to lapse, and the sweep hands the delivery to another.
    """

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["state", "next_attempt_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_event_and_endpoint"),
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values), name="webhook_delivery_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.endpoint_id} ({self.state})"


class AttemptOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Answered with an error")
    TIMEOUT = "timeout", _("Timed out")
    ERROR = "error", _("Connection failed")
    REFUSED = "refused", _("Address refused")
    INTERRUPTED = "interrupted", _("Interrupted")


class WebhookAttempt(UUIDModel):
    """One POST of a delivery: when, how long, and what came of it (an HTTP status, or why none)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_PROGRESS
    )
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.outcome}"
