from django.urls import path

from handover.audit import views

app_name = "audit"
urlpatterns = [
    path("o/<uuid:org_id>/audit/", views.events, name="events"),
    path("o/<uuid:org_id>/audit/export.csv", views.export, name="export"),
]
