from django.contrib import admin
from django.db import models

from handover.web.admin import EvidenceAdmin, ReadOnlyInline
from handover.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(EvidenceAdmin):
    """Operators see who listens where; the secrets are never shown, and endpoints change only
    through their Organization (the page or the API), which audits it."""

    list_display = ["url", "organization", "created_at", "secret_rotated_at"]
    search_fields = ["url", "organization__name"]
    list_select_related = ["organization"]
    exclude = ["secret", "previous_secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class AttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = readonly_fields = ("number", "started_at", "outcome", "status_code", "error", "duration_ms")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(EvidenceAdmin):
    """What was sent where and what came of each attempt, to answer "did our billing hear of it?"."""

    list_display = ["created_at", "endpoint", "event", "state", "attempt_count", "next_attempt_at"]
    list_filter = ["state"]
    search_fields = ["event__id", "event__transfer_id", "endpoint__url"]
    list_select_related = ["endpoint", "event"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
