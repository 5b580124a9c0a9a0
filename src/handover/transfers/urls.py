from django.urls import path

from handover.transfers import views

app_name = "transfers"
urlpatterns = [
    path("o/<uuid:org_id>/transfers/", views.list, name="list"),
]
