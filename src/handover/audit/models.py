from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.db import UUIDModel
from handover.organizations.models import Organization


class AuditAction(models.TextChoices):
    ORGANIZATION_CREATED = "organization:created", _("Organization created")
    ORGANIZATION_RENAMED = "organization:renamed", _("Organization renamed")
    ORGANIZATION_TRANSFER_LOCK_SET = (
        "organization:transfer_lock_set",
        _("Outgoing transfers locked"),
    )
    ORGANIZATION_TRANSFER_LOCK_LIFTED = (
        "organization:transfer_lock_lifted",
        _("Outgoing transfers unlocked"),
    )
    MEMBERSHIP_ADDED = "membership:added", _("Member added")
    MEMBERSHIP_ROLE_CHANGED = "membership:role_changed", _("Member role changed")
    MEMBERSHIP_REMOVED = "membership:removed", _("Member removed")
    MEMBERSHIP_LEFT = "membership:left", _("Member left")
    TEAM_CREATED = "team:created", _("Team created")
    TEAM_DELETED = "team:deleted", _("Team deleted")
    TEAM_MEMBER_ADDED = "team:member_added", _("Team member added")
    TEAM_MEMBER_REMOVED = "team:member_removed", _("Team member removed")
    PRODUCT_CREATED = "product:created", _("Product created")
    PRODUCT_STATUS_CHANGED = "product:status_changed", _("Product status changed")
    PRODUCT_LINKED = "product:linked", _("Products linked")
    PRODUCT_UNLINKED = "product:unlinked", _("Products unlinked")
    PRODUCT_ACCESS_GRANTED = "product_access:granted", _("Product access granted")
    PRODUCT_ACCESS_REVOKED = "product_access:revoked", _("Product access revoked")
    INVOICE_ISSUED = "invoice:issued", _("Invoice issued")
    TERMS_ACCEPTED = "terms:accepted", _("General conditions accepted")
    TRANSFER_STARTED = "transfer:started", _("Transfer started")
    TRANSFER_LINK_ROTATED = "transfer:link_rotated", _("Transfer link renewed")
    TRANSFER_LINK_SENT = "transfer:link_sent", _("Transfer link sent")
    TRANSFER_LINK_REVOKED = "transfer:link_revoked", _("Transfer link revoked")
    TRANSFER_LINK_USED = "transfer:link_used", _("Transfer link used")
    TRANSFER_RECEIVED = "transfer:received", _("Transfer received")
    TRANSFER_COMPLETED = "transfer:completed", _("Transfer completed")
    TRANSFER_CANCELLED = "transfer:cancelled", _("Transfer cancelled")
    TRANSFER_DECLINED = "transfer:declined", _("Transfer declined")
    TRANSFER_EXPIRED = "transfer:expired", _("Transfer expired")
    PRODUCT_TRANSFERRED_OUT = "product:transferred_out", _("Product transferred out")
    PRODUCT_TRANSFERRED_IN = "product:transferred_in", _("Product transferred in")
    WEBHOOK_REGISTERED = "webhook:registered", _("Webhook endpoint registered")
    WEBHOOK_SECRET_ROTATED = "webhook:secret_rotated", _("Webhook secret rotated")
    WEBHOOK_DELETED = "webhook:deleted", _("Webhook endpoint deleted")


class AuditEvent(UUIDModel):
    """An append-only record: who did what, when, in which Organization, on which object."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text=_("The actor's email when it acted.")
    )
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=36, blank=True, db_index=True)
    target_label = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
