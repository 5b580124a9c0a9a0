from django.contrib import admin

from handover.transfers.models import Transfer, TransferItem
from handover.transfers.selectors import FIRST_PRODUCTS
from handover.web.admin import ReadOnlyInline


class TransferItemInline(ReadOnlyInline):
    """The transfer's first products (a transfer may hold 10,000; `handover transfer products ID`
    lists them all)."""

    model = TransferItem
    fields = readonly_fields = ("position", "product", "pending")
    verbose_name_plural = f"first {FIRST_PRODUCTS} products"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(position__lte=FIRST_PRODUCTS)
        return queryset.select_related("product").order_by("position")


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    """Transfers change state only through their services (the CLI's `transfer cancel`): read-only here."""

    list_display = [
        "id",
        "state",
        "source_organization",
        "destination_organization",
        "product_count",
        "created_at",
        "expires_at",
    ]
    list_filter = ["state"]
    search_fields = ["id", "source_organization__name", "destination_organization__name", "bound_email"]
    list_select_related = ["source_organization", "destination_organization"]
    exclude = ["link_nonce", "link_hash"]
    inlines = [TransferItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
