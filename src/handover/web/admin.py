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


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent but changed only by a service, whose rules the admin's own forms
    would skip (a member's role, a right on a product, a transfer's products, a delivery's attempts)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
