from django.contrib import admin

from handover.organizations.models import Membership, Organization, Team
from handover.web.admin import ReadOnlyInline


class MembershipInline(ReadOnlyInline):
    """A member's role changes, or a member leaves, through the members' rules (their transfers and
    webhooks end, one legal representative stays): the Members page or the CLI, not here."""

    model = Membership
    fields = ("email", "role", "created_at")
    readonly_fields = fields
    verbose_name_plural = "Members (changed on their page, or by handover org set-role, org remove-member)"

    @admin.display(description="email")
    def email(self, membership):
        return membership.user.email

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "transfers_locked", "created_at"]
    search_fields = ["name", "id"]
    list_filter = ["transfers_locked", "country"]
    inlines = [MembershipInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name", "organization__name"]
    raw_id_fields = ["organization"]
    list_select_related = ["organization"]

    def get_readonly_fields(self, request, obj=None):
        """Only members of its Organization join a team (its page does it); a team stays in its own."""
        return ["organization", "members"] if obj else ["members"]
