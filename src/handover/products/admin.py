from django.contrib import admin

from handover.products.models import Product, ProductAccess
from handover.web.admin import ReadOnlyInline


class ProductAccessInline(ReadOnlyInline):
    """Rights go to members of the product's Organization only: its page or `handover access grant`."""

    model = ProductAccess
    fields = readonly_fields = ("user", "team", "level")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "status", "organization", "renews_on"]
    list_filter = ["type", "status"]
    search_fields = ["name", "service_ref", "id", "organization__name"]
    raw_id_fields = ["organization", "linked"]
    list_select_related = ["organization"]
    inlines = [ProductAccessInline]

    def get_readonly_fields(self, request, obj=None):
        """A product changes Organization by a transfer only (audited, its history answerable)."""
        return ["organization"] if obj else []
