from django.urls import path

from handover.organizations import views

app_name = "organizations"
urlpatterns = [
    path("organizations/new/", views.create, name="create"),
    path("o/<uuid:org_id>/members/", views.members, name="members"),
    path("o/<uuid:org_id>/members/add/", views.member_add, name="member_add"),
    path("o/<uuid:org_id>/members/<uuid:membership_id>/role/", views.member_role, name="member_role"),
    path("o/<uuid:org_id>/members/<uuid:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<uuid:org_id>/leave/", views.leave, name="leave"),
    path("o/<uuid:org_id>/teams/", views.teams, name="teams"),
    path("o/<uuid:org_id>/teams/new/", views.team_create, name="team_create"),
    path("o/<uuid:org_id>/teams/<uuid:team_id>/delete/", views.team_delete, name="team_delete"),
    path("o/<uuid:org_id>/teams/<uuid:team_id>/members/", views.team_member_add, name="team_member_add"),
    path(
        "o/<uuid:org_id>/teams/<uuid:team_id>/members/<uuid:user_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("o/<uuid:org_id>/settings/", views.settings, name="settings"),
    path("o/<uuid:org_id>/settings/transfer-lock/", views.transfer_lock, name="transfer_lock"),
]
