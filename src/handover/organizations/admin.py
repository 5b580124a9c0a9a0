from django.contrib import admin

from handover.organizations.models import Membership, Organization, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


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
    raw_id_fields = ["organization", "members"]
    list_select_related = ["organization"]
