"""Pages of an Organization: its members, its teams and its settings, and creating a new one.

Each page parses a form, calls one service and renders. A refused action shows its reason on the
page again, with the error's status, having changed nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from handover.accounts.models import User
from handover.errors import DomainError
from handover.organizations import selectors, services
from handover.organizations.forms import (
    AddMemberForm,
    OrganizationForm,
    RenameForm,
    RoleForm,
    TeamForm,
    TeamMemberForm,
    TransferLockForm,
)
from handover.organizations.models import Membership, Organization, Role, Team
from handover.web.decorators import organization_page


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


def _me(request: HttpRequest) -> User:
    """The signed-in user (every page here requires signing in)."""
    return cast(User, request.user)


def _organization(request: HttpRequest) -> Organization:
    """The Organization of the page, as `organization_page` resolved it for a member."""
    return cast(Organization, request.organization)  # type: ignore[attr-defined]


def _membership(request: HttpRequest) -> Membership:
    """The signed-in user's membership of the page's Organization."""
    return cast(Membership, request.membership)  # type: ignore[attr-defined]


def _refused(
    request: HttpRequest, exc: DomainError, page: Callable[[int], HttpResponse], form: Form | None = None
) -> HttpResponse:
    """Show why the service refused (on the form's field it concerns, else as a message) and render
    the page again with the error's status: nothing was changed."""
    placed = [name for name in exc.fields if form is not None and name in form.fields]
    for name in placed:
        cast(Form, form).add_error(name, str(exc.fields[name]))
    if not placed:
        messages.error(request, exc.detail)
    return page(exc.status)


def _act(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    page: Callable[[int], HttpResponse],
    success: str,
    then: tuple[Any, ...],
    form: Form | None = None,
) -> HttpResponse:
    """Run one service call: refused, render `page` again with why; done, say `success` and
    redirect to `then`."""
    try:
        call()
    except DomainError as exc:
        return _refused(request, exc, page, form)
    messages.success(request, success)
    return redirect(*then)


def _invalid(request: HttpRequest, page: Callable[[int], HttpResponse], message: str) -> HttpResponse:
    messages.error(request, message)
    return page(400)


def _grantable_roles(membership: Membership) -> list[tuple[str, Any]]:
    """The roles this member may give: a legal representative any, an administrator the others."""
    if membership.role == Role.LEGAL_REPRESENTATIVE:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value != Role.LEGAL_REPRESENTATIVE]


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
        organization = services.create_organization(actor=_me(request), **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, exc, page, form)
    messages.success(request, _("The Organization %(name)s was created.") % {"name": organization.name})
    return redirect("products:list", organization.id)


# Members ----------------------------------------------------------------------------------------


def _members_page(
    request: HttpRequest, *, add_form: AddMemberForm | None = None
) -> Callable[[int], HttpResponse]:
    def page(status: int = 200) -> HttpResponse:
        organization = _organization(request)
        me = _membership(request)
        roles = _grantable_roles(me)
        is_legal = me.role == Role.LEGAL_REPRESENTATIVE
        members = [
            MemberRow(
                membership=membership,
                # Admins manage members, but only a legal representative touches a legal representative.
                manageable=me.is_admin and (is_legal or membership.role != Role.LEGAL_REPRESENTATIVE),
                is_me=membership.user_id == request.user.pk,
            )
            for membership in selectors.members_of_organization(organization=organization)
        ]
        form = add_form
        if form is None and me.is_admin:
            form = AddMemberForm(products=selectors.products_to_grant(organization=organization), roles=roles)
        context = {
            "nav": "members",
            "members": members,
            "add_form": form,
            "roles": roles,
            "can_manage": me.is_admin,
        }
        return render(request, "organizations/members.html", context, status=status)

    return page


@organization_page
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)(200)


@organization_page
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    form = AddMemberForm(
        request.POST,
        products=selectors.products_to_grant(organization=organization),
        roles=list(Role.choices),  # the service decides who may grant which role
    )
    page = _members_page(request, add_form=form)
    if not form.is_valid():
        return page(400)
    return _act(
        request,
        lambda: services.add_member(actor=_me(request), organization=organization, **form.cleaned_data),
        page=page,
        form=form,
        success=_("%(email)s is now a member.") % {"email": form.cleaned_data["email"]},
        then=("organizations:members", organization.id),
    )


@organization_page
@require_POST
def member_role(request: HttpRequest, membership_id: Any) -> HttpResponse:
    organization = _organization(request)
    membership = selectors.membership_get(organization=organization, membership_id=membership_id)
    form = RoleForm(request.POST)
    page = _members_page(request)
    if not form.is_valid():
        return _invalid(request, page, _("Choose a role."))
    role = Role(form.cleaned_data["role"])
    # Who makes themselves a collaborator no longer manages members: back to the products.
    demoted_self = membership.user_id == request.user.pk and role == Role.COLLABORATOR
    return _act(
        request,
        lambda: services.change_member_role(actor=_me(request), membership=membership, role=role),
        page=page,
        success=_("%(name)s is now %(role)s.") % {"name": membership.user.display_name, "role": role.label},
        then=("products:list", organization.id)
        if demoted_self
        else ("organizations:members", organization.id),
    )


@organization_page
@require_POST
def member_remove(request: HttpRequest, membership_id: Any) -> HttpResponse:
    organization = _organization(request)
    membership = selectors.membership_get(organization=organization, membership_id=membership_id)
    return _act(
        request,
        lambda: services.remove_member(actor=_me(request), membership=membership),
        page=_members_page(request),
        success=_("%(name)s was removed.") % {"name": membership.user.display_name},
        then=("web:home",)
        if membership.user_id == request.user.pk
        else ("organizations:members", organization.id),
    )


@organization_page
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    return _act(
        request,
        lambda: services.leave_organization(actor=_me(request), organization=organization),
        page=_members_page(request),
        success=_("You left %(name)s.") % {"name": organization.name},
        then=("web:home",),
    )


# Teams ------------------------------------------------------------------------------------------


def _teams_page(
    request: HttpRequest, *, create_form: TeamForm | None = None
) -> Callable[[int], HttpResponse]:
    def page(status: int = 200) -> HttpResponse:
        organization = _organization(request)
        me = _membership(request)
        members = selectors.members_of_organization(organization=organization) if me.is_admin else []
        users = [membership.user for membership in members]
        teams = []
        for team in selectors.teams_of_organization(organization=organization):
            in_team = {user.pk for user in team.members.all()}
            teams.append(TeamRow(team=team, candidates=[user for user in users if user.pk not in in_team]))
        context = {
            "nav": "teams",
            "teams": teams,
            "create_form": create_form or (TeamForm() if me.is_admin else None),
            "can_manage": me.is_admin,
        }
        return render(request, "organizations/teams.html", context, status=status)

    return page


@organization_page
def teams(request: HttpRequest) -> HttpResponse:
    return _teams_page(request)(200)


@organization_page
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    form = TeamForm(request.POST)
    page = _teams_page(request, create_form=form)
    if not form.is_valid():
        return page(400)
    name = form.cleaned_data["name"]
    return _act(
        request,
        lambda: services.create_team(actor=_me(request), organization=organization, name=name),
        page=page,
        form=form,
        success=_("The team %(name)s was created.") % {"name": name},
        then=("organizations:teams", organization.id),
    )


@organization_page
@require_POST
def team_delete(request: HttpRequest, team_id: Any) -> HttpResponse:
    organization = _organization(request)
    team = selectors.team_get(organization=organization, team_id=team_id)
    return _act(
        request,
        lambda: services.delete_team(actor=_me(request), team=team),
        page=_teams_page(request),
        success=_("The team %(name)s was deleted.") % {"name": team.name},
        then=("organizations:teams", organization.id),
    )


@organization_page
@require_POST
def team_member_add(request: HttpRequest, team_id: Any) -> HttpResponse:
    organization = _organization(request)
    team = selectors.team_get(organization=organization, team_id=team_id)
    form = TeamMemberForm(request.POST, members=selectors.members_as_users(organization=organization))
    page = _teams_page(request)
    if not form.is_valid():
        return _invalid(request, page, _("Choose a member of the Organization."))
    user = form.cleaned_data["user"]
    return _act(
        request,
        lambda: services.add_team_member(actor=_me(request), team=team, user=user),
        page=page,
        success=_("%(name)s joined %(team)s.") % {"name": user.display_name, "team": team.name},
        then=("organizations:teams", organization.id),
    )


@organization_page
@require_POST
def team_member_remove(request: HttpRequest, team_id: Any, user_id: Any) -> HttpResponse:
    organization = _organization(request)
    team = selectors.team_get(organization=organization, team_id=team_id)
    user = selectors.member_get(organization=organization, user_id=user_id)
    return _act(
        request,
        lambda: services.remove_team_member(actor=_me(request), team=team, user=user),
        page=_teams_page(request),
        success=_("%(name)s left %(team)s.") % {"name": user.display_name, "team": team.name},
        then=("organizations:teams", organization.id),
    )


# Settings ---------------------------------------------------------------------------------------


def _settings_page(
    request: HttpRequest, *, rename_form: RenameForm | None = None
) -> Callable[[int], HttpResponse]:
    def page(status: int = 200) -> HttpResponse:
        organization = _organization(request)
        me = _membership(request)
        form = rename_form or (RenameForm(initial={"name": organization.name}) if me.is_admin else None)
        context = {
            "nav": "settings",
            "rename_form": form,
            "is_legal_representative": me.role == Role.LEGAL_REPRESENTATIVE,
        }
        return render(request, "organizations/settings.html", context, status=status)

    return page


@organization_page
def settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _settings_page(request)(200)
    organization = _organization(request)
    form = RenameForm(request.POST)
    page = _settings_page(request, rename_form=form)
    if not form.is_valid():
        return page(400)
    return _act(
        request,
        lambda: services.rename_organization(
            actor=_me(request), organization=organization, name=form.cleaned_data["name"]
        ),
        page=page,
        form=form,
        success=_("The Organization was renamed."),
        then=("organizations:settings", organization.id),
    )


@organization_page
@require_POST
def transfer_lock(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    form = TransferLockForm(request.POST)
    page = _settings_page(request)
    if not form.is_valid():
        return _invalid(request, page, _("Choose whether outgoing transfers are locked."))
    locked = form.cleaned_data["locked"]
    return _act(
        request,
        lambda: services.set_transfer_lock(actor=_me(request), organization=organization, locked=locked),
        page=page,
        success=_("Outgoing transfers are now locked.")
        if locked
        else _("Outgoing transfers are allowed again."),
        then=("organizations:settings", organization.id),
    )
