from django.contrib import admin

from handover.billing.models import Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "organization", "issued_on", "currency", "paid"]
    search_fields = ["number", "organization__name"]
    list_filter = ["paid"]
    raw_id_fields = ["organization"]
    list_select_related = ["organization"]
    inlines = [InvoiceLineInline]
