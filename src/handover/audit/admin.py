from django.contrib import admin

from handover.audit.models import AuditEvent
from handover.web.admin import EvidenceAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(EvidenceAdmin):
    """The audit log is append-only: operators read it, nobody edits it."""

    list_display = ["created_at", "organization", "action", "actor_label", "target_label", "ip"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor_label", "organization__name"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
