"""Pages of an Organization: its members, its teams and its settings, and creating a new one.

Each page parses a form, calls one service and renders. A refused action shows its reason on the
page again, with the error's status, having changed nothing (`handover.pages.refused`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from handover.accounts.models import User
from handover.accounts.reauthentication import reauthenticated
from handover.errors import DomainError
from handover.organizations import access, selectors, services
from handover.organizations.access import Permission
from handover.organizations.forms import (
    AddMemberForm,
    OrganizationForm,
    RenameForm,
    RoleForm,
    TeamForm,
    TeamMemberForm,
    TransferLockForm,
)
from handover.organizations.http import MemberRequest, organization_page
from handover.organizations.models import Membership, Role, Team
from handover.pages import Question, act, ask_first, invalid, refused

# The actions that undo something or take a capability away: a GET is their confirm step.
confirmed_action = require_http_methods(["GET", "HEAD", "POST"])


@dataclass(frozen=True)
class MemberRow:
    """A line of the members page: the membership, and what the viewer may do with it."""

    membership: Membership
    manageable: bool
    is_me: bool


@dataclass(frozen=True)
class TeamRow:
    """A team on the teams page, with the members who could join it."""

    team: Team
    candidates: list[User]


# Creating an Organization -----------------------------------------------------------------------


@login_required
def create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)

    def page(status: int = 200) -> HttpResponse:
        return render(request, "organizations/create.html", {"form": form}, status=status)

    if request.method != "POST":
        return page()
    if not form.is_valid():
        return page(400)
    try:
        organization = services.create_organization(actor=cast(User, request.user), **form.cleaned_data)
    except DomainError as exc:
        return refused(request, exc, page, form)
    messages.success(request, _("The Organization %(name)s was created.") % {"name": organization.name})
    return redirect("products:list", organization.id)


# Members ----------------------------------------------------------------------------------------


def _members_page(
    request: MemberRequest, *, add_form: AddMemberForm | None = None
) -> Callable[[int], HttpResponse]:
    def page(status: int = 200) -> HttpResponse:
        organization, me = request.organization, request.membership
        roles = [(role.value, role.label) for role in access.grantable_roles(me)]
        members = [
            MemberRow(
                membership=membership,
                manageable=access.may_manage_member(me, membership),
                is_me=membership.user_id == request.user.pk,
            )
            for membership in selectors.members_of_organization(organization=organization)
        ]
        form = add_form
        if form is None and access.has_permission(me, Permission.MANAGE_MEMBERS):
            form = AddMemberForm(products=selectors.products_to_grant(organization=organization), roles=roles)
        context = {"nav": "members", "members": members, "add_form": form, "roles": roles}
        return render(request, "organizations/members.html", context, status=status)

    return page


@organization_page()
def members(request: MemberRequest) -> HttpResponse:
    return _members_page(request)(200)


@organization_page(Permission.MANAGE_MEMBERS)
@reauthenticated
@require_POST
def member_add(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    form = AddMemberForm(
        request.POST,
        products=selectors.products_to_grant(organization=organization),
        roles=list(Role.choices),  # the service decides who may grant which role
    )
    page = _members_page(request, add_form=form)
    if not form.is_valid():
        return page(400)
    return act(
        request,
        lambda: services.add_member(actor=request.user, organization=organization, **form.cleaned_data),
        page=page,
        form=form,
        success=_("%(email)s is now a member.") % {"email": form.cleaned_data["email"]},
        then=("organizations:members", organization.id),
    )


@organization_page()
@require_POST
def member_role(request: MemberRequest, membership_id: Any) -> HttpResponse:
    organization = request.organization
    membership = selectors.membership_get(organization=organization, membership_id=membership_id)
    form = RoleForm(request.POST)
    page = _members_page(request)
    if not form.is_valid():
        return invalid(request, page, _("Choose a role."))
    role = Role(form.cleaned_data["role"])
    if (
        access.loses_transfer_rights(membership.role, role)
        and access.may_manage_member(request.membership, membership)
        and not form.cleaned_data["confirmed"]
    ):
        names = {"name": membership.user.display_name, "role": role.label}
        question = Question(
            title=_("Make %(name)s %(role)s?") % names,
            consequences=[
                _(
                    "They can no longer manage the Organization's members, products and transfers. The "
                    "transfers they started and that are still pending are cancelled, and the transfer "
                    "links they issued stop working."
                ),
                _("The webhooks they registered are removed."),
            ],
            button=_("Make %(name)s %(role)s") % names,
            back=reverse("organizations:members", args=[organization.id]),
            hidden={"role": role.value, "confirmed": "1"},
            nav="members",
        )
        return ask_first(request, question)
    # Who gives up managing members cannot come back to this page: back to the products.
    demoted_self = membership.user_id == request.user.pk and not access.has_role_permission(
        role, Permission.MANAGE_MEMBERS
    )
    return act(
        request,
        lambda: services.change_member_role(actor=request.user, membership=membership, role=role),
        page=page,
        success=_("%(name)s is now %(role)s.") % {"name": membership.user.display_name, "role": role.label},
        then=("products:list", organization.id)
        if demoted_self
        else ("organizations:members", organization.id),
    )


@organization_page(Permission.MANAGE_MEMBERS)
@confirmed_action
def member_remove(request: MemberRequest, membership_id: Any) -> HttpResponse:
    organization = request.organization
    membership = selectors.membership_get(organization=organization, membership_id=membership_id)
    if request.method != "POST":
        names = {"name": membership.user.display_name, "organization": organization.name}
        question = Question(
            title=_("Remove %(name)s from %(organization)s?") % names,
            consequences=[
                _(
                    "They lose their access to its products and their place in its teams. Transfers "
                    "they started and that are still pending are cancelled."
                ),
                *(
                    [
                        _("The transfer links they issued stop working."),
                        _("The webhooks they registered are removed."),
                    ]
                    if access.is_admin(membership)
                    else []
                ),
            ],
            button=_("Remove %(name)s") % names,
            back=reverse("organizations:members", args=[organization.id]),
            nav="members",
        )
        return ask_first(request, question)
    return act(
        request,
        lambda: services.remove_member(actor=request.user, membership=membership),
        page=_members_page(request),
        success=_("%(name)s was removed.") % {"name": membership.user.display_name},
        then=("web:home",)
        if membership.user_id == request.user.pk
        else ("organizations:members", organization.id),
    )


@organization_page()
@confirmed_action
def leave(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    if request.method != "POST":
        name = {"name": organization.name}
        question = Question(
            title=_("Leave %(name)s?") % name,
            consequences=[
                _(
                    "You lose your access to its products and your place in its teams. Transfers you "
                    "started and that are still pending are cancelled."
                ),
                *(
                    [
                        _(
                            "The transfer links you issued stop working and the webhooks you registered are "
                            "removed."
                        )
                    ]
                    if access.is_admin(request.membership)
                    else []
                ),
                _("Only one of its administrators can add you again."),
            ],
            button=_("Leave %(name)s") % name,
            back=reverse("organizations:members", args=[organization.id]),
            nav="members",
        )
        return ask_first(request, question)
    return act(
        request,
        lambda: services.leave_organization(actor=request.user, organization=organization),
        page=_members_page(request),
        success=_("You left %(name)s.") % {"name": organization.name},
        then=("web:home",),
    )


# Teams ------------------------------------------------------------------------------------------


def _teams_page(
    request: MemberRequest, *, create_form: TeamForm | None = None
) -> Callable[[int], HttpResponse]:
    def page(status: int = 200) -> HttpResponse:
        organization = request.organization
        manages = access.has_permission(request.membership, Permission.MANAGE_TEAMS)
        members = selectors.members_of_organization(organization=organization) if manages else []
        users = [membership.user for membership in members]
        teams = []
        for team in selectors.teams_of_organization(organization=organization):
            in_team = {user.pk for user in team.members.all()}
            teams.append(TeamRow(team=team, candidates=[user for user in users if user.pk not in in_team]))
        context = {
            "nav": "teams",
            "teams": teams,
            "create_form": create_form or (TeamForm() if manages else None),
        }
        return render(request, "organizations/teams.html", context, status=status)

    return page


@organization_page()
def teams(request: MemberRequest) -> HttpResponse:
    return _teams_page(request)(200)


@organization_page()
@require_POST
def team_create(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    form = TeamForm(request.POST)
    page = _teams_page(request, create_form=form)
    if not form.is_valid():
        return page(400)
    name = form.cleaned_data["name"]
    return act(
        request,
        lambda: services.create_team(actor=request.user, organization=organization, name=name),
        page=page,
        form=form,
        success=_("The team %(name)s was created.") % {"name": name},
        then=("organizations:teams", organization.id),
    )


@organization_page(Permission.MANAGE_TEAMS)
@confirmed_action
def team_delete(request: MemberRequest, team_id: Any) -> HttpResponse:
    organization = request.organization
    team = selectors.team_get(organization=organization, team_id=team_id)
    if request.method != "POST":
        question = Question(
            title=_("Delete the team %(name)s?") % {"name": team.name},
            consequences=[
                _("Its members stay in the Organization, but lose the rights they had through the team.")
            ],
            button=_("Delete the team"),
            back=reverse("organizations:teams", args=[organization.id]),
            nav="teams",
        )
        return ask_first(request, question)
    return act(
        request,
        lambda: services.delete_team(actor=request.user, team=team),
        page=_teams_page(request),
        success=_("The team %(name)s was deleted.") % {"name": team.name},
        then=("organizations:teams", organization.id),
    )


@organization_page()
@require_POST
def team_member_add(request: MemberRequest, team_id: Any) -> HttpResponse:
    organization = request.organization
    team = selectors.team_get(organization=organization, team_id=team_id)
    form = TeamMemberForm(request.POST, members=selectors.members_as_users(organization=organization))
    page = _teams_page(request)
    if not form.is_valid():
        return invalid(request, page, _("Choose a member of the Organization."))
    user = form.cleaned_data["user"]
    return act(
        request,
        lambda: services.add_team_member(actor=request.user, team=team, user=user),
        page=page,
        success=_("%(name)s joined %(team)s.") % {"name": user.display_name, "team": team.name},
        then=("organizations:teams", organization.id),
    )


@organization_page(Permission.MANAGE_TEAMS)
@confirmed_action
def team_member_remove(request: MemberRequest, team_id: Any, user_id: Any) -> HttpResponse:
    organization = request.organization
    team = selectors.team_get(organization=organization, team_id=team_id)
    user = selectors.member_get(organization=organization, user_id=user_id)
    if request.method != "POST":
        names = {"name": user.display_name, "team": team.name}
        question = Question(
            title=_("Remove %(name)s from the team %(team)s?") % names,
            consequences=[_("They lose the rights they had through the team; they stay a member.")],
            button=_("Remove from the team"),
            back=reverse("organizations:teams", args=[organization.id]),
            nav="teams",
        )
        return ask_first(request, question)
    return act(
        request,
        lambda: services.remove_team_member(actor=request.user, team=team, user=user),
        page=_teams_page(request),
        success=_("%(name)s left %(team)s.") % {"name": user.display_name, "team": team.name},
        then=("organizations:teams", organization.id),
    )


# Settings ---------------------------------------------------------------------------------------


def _settings_page(
    request: MemberRequest, *, rename_form: RenameForm | None = None
) -> Callable[[int], HttpResponse]:
    def page(status: int = 200) -> HttpResponse:
        organization = request.organization
        renames = access.has_permission(request.membership, Permission.MANAGE_ORGANIZATION)
        form = rename_form or (RenameForm(initial={"name": organization.name}) if renames else None)
        context = {"nav": "settings", "rename_form": form}
        return render(request, "organizations/settings.html", context, status=status)

    return page


@organization_page()
def settings(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        return _settings_page(request)(200)
    organization = request.organization
    form = RenameForm(request.POST)
    page = _settings_page(request, rename_form=form)
    if not form.is_valid():
        return page(400)
    return act(
        request,
        lambda: services.rename_organization(
            actor=request.user, organization=organization, name=form.cleaned_data["name"]
        ),
        page=page,
        form=form,
        success=_("The Organization was renamed."),
        then=("organizations:settings", organization.id),
    )


@organization_page()
@require_POST
def transfer_lock(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    form = TransferLockForm(request.POST)
    page = _settings_page(request)
    if not form.is_valid():
        return invalid(request, page, _("Choose whether outgoing transfers are locked."))
    locked = form.cleaned_data["locked"]
    return act(
        request,
        lambda: services.set_transfer_lock(actor=request.user, organization=organization, locked=locked),
        page=page,
        success=_("Outgoing transfers are now locked.")
        if locked
        else _("Outgoing transfers are allowed again."),
        then=("organizations:settings", organization.id),
    )
