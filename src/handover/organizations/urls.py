from django.urls import path

from handover.organizations import views

app_name = "organizations"
urlpatterns = [
    path("organizations/new/", views.create, name="create"),
    path("o/<uuid:org_id>/members/", views.members, name="members"),
    path("o/<uuid:org_id>/teams/", views.teams, name="teams"),
    path("o/<uuid:org_id>/settings/", views.settings, name="settings"),
]
