from django.contrib import admin


class EvidenceAdmin(admin.ModelAdmin):
    """Rows that are evidence (the audit log, acceptances): operators read them, nobody adds, edits or
    deletes one from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
