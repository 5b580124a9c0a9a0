from django.urls import path

from handover.products import views

app_name = "products"
urlpatterns = [
    path("o/<uuid:org_id>/products/", views.list, name="list"),
    path("o/<uuid:org_id>/products/<uuid:product_id>/", views.detail, name="detail"),
    path("o/<uuid:org_id>/products/<uuid:product_id>/access/", views.grant, name="grant"),
    path(
        "o/<uuid:org_id>/products/<uuid:product_id>/access/<uuid:access_id>/revoke/",
        views.revoke,
        name="revoke",
    ),
]
