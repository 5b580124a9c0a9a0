from django.contrib import admin

from handover.products.models import Product, ProductAccess


class ProductAccessInline(admin.TabularInline):
    model = ProductAccess
    extra = 0
    raw_id_fields = ["user", "team"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "status", "organization", "renews_on"]
    list_filter = ["type", "status"]
    search_fields = ["name", "service_ref", "id", "organization__name"]
    raw_id_fields = ["organization", "linked"]
    list_select_related = ["organization"]
    inlines = [ProductAccessInline]
