from django.contrib import admin

from handover.terms.models import Acceptance, GeneralConditions


@admin.register(GeneralConditions)
class GeneralConditionsAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    """Acceptances are evidence: shown, never edited."""

    list_display = ["accepted_at", "user", "organization", "conditions", "step", "ip"]
    list_filter = ["step"]
    search_fields = ["user__email", "organization__name", "reference"]
    list_select_related = ["user", "organization", "conditions"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
