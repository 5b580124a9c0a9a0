from django.urls import path

from handover.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("o/<uuid:org_id>/settings/webhooks/", views.webhooks, name="list"),
    path("o/<uuid:org_id>/settings/webhooks/<uuid:webhook_id>/rotate/", views.rotate, name="rotate"),
    path("o/<uuid:org_id>/settings/webhooks/<uuid:webhook_id>/delete/", views.delete, name="delete"),
    path("o/<uuid:org_id>/settings/webhooks/<uuid:webhook_id>/", views.deliveries, name="deliveries"),
]
