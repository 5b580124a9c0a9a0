"""Pages of an Organization: its members, its teams and its settings, and creating a new one.

Each page parses a form, calls one service and renders. A refused action shows its reason and
answers with the error's status, having changed nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from handover.organizations.models import Membership, Role, Team
from handover.web.decorators import organization_page


def _show_error(request: HttpRequest, exc: DomainError, form: Form | None = None) -> None:
    """Show a refused action's reason: on the form's field it concerns, else as a message."""
    if form is not None:
        placed = [name for name in exc.fields if name in form.fields]
        for name in placed:
            form.add_error(name, str(exc.fields[name]))
        if placed:
            return
        form.add_error(None, exc.detail)
        return
    messages.error(request, exc.detail)


def _grantable_roles(membership: Membership) -> list[tuple[str, Any]]:
    """The roles this member may give: a legal representative any, an administrator the others."""
    if membership.role == Role.LEGAL_REPRESENTATIVE:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value != Role.LEGAL_REPRESENTATIVE]


def _attempt(
    request: HttpRequest, action: Callable[[], Any], *, form: Form | None = None
) -> DomainError | None:
    """Run a service call; on a domain error, show it and return it (the service changed nothing)."""
    try:
        action()
    except DomainError as exc:
        _show_error(request, exc, form)
        return exc
    return None


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
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                organization = services.create_organization(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except DomainError as exc:
                _show_error(request, exc, form)
                status = exc.status
            else:
                messages.success(
                    request, _("The Organization %(name)s was created.") % {"name": organization.name}
                )
                return redirect("products:list", organization.id)
    return render(request, "organizations/create.html", {"form": form}, status=status)


# Members ----------------------------------------------------------------------------------------


def _members_page(
    request: HttpRequest, *, add_form: AddMemberForm | None = None, status: int = 200
) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    me = request.membership  # type: ignore[attr-defined]
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
    if add_form is None and me.is_admin:
        add_form = AddMemberForm(products=selectors.products_to_grant(organization=organization), roles=roles)
    context = {
        "nav": "members",
        "members": members,
        "add_form": add_form,
        "roles": roles,
        "can_manage": me.is_admin,
    }
    return render(request, "organizations/members.html", context, status=status)


@organization_page
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


@organization_page
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = AddMemberForm(
        request.POST,
        products=selectors.products_to_grant(organization=organization),
        roles=list(Role.choices),  # the service decides who may grant which role
    )
    if not form.is_valid():
        return _members_page(request, add_form=form, status=400)
    try:
        membership = services.add_member(actor=request.user, organization=organization, **form.cleaned_data)  # type: ignore[arg-type]
    except DomainError as exc:
        _show_error(request, exc, form)
        return _members_page(request, add_form=form, status=exc.status)
    messages.success(request, _("%(email)s is now a member.") % {"email": membership.user.email})
    return redirect("organizations:members", organization.id)


@organization_page
@require_POST
def member_role(request: HttpRequest, membership_id: Any) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    membership = selectors.membership_get(organization=organization, membership_id=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return _members_page(request, status=400)
    error = _attempt(
        request,
        lambda: services.change_member_role(
            actor=request.user,  # type: ignore[arg-type]
            membership=membership,
            role=form.cleaned_data["role"],
        ),
    )
    if error is not None:
        return _members_page(request, status=error.status)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": membership.user.display_name, "role": Role(form.cleaned_data["role"]).label},
    )
    if membership.user_id == request.user.pk and form.cleaned_data["role"] == Role.COLLABORATOR:
        return redirect("products:list", organization.id)
    return redirect("organizations:members", organization.id)


@organization_page
@require_POST
def member_remove(request: HttpRequest, membership_id: Any) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    membership = selectors.membership_get(organization=organization, membership_id=membership_id)
    error = _attempt(request, lambda: services.remove_member(actor=request.user, membership=membership))  # type: ignore[arg-type]
    if error is not None:
        return _members_page(request, status=error.status)
    messages.success(request, _("%(name)s was removed.") % {"name": membership.user.display_name})
    if membership.user_id == request.user.pk:
        return redirect("web:home")
    return redirect("organizations:members", organization.id)


@organization_page
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    error = _attempt(
        request,
        lambda: services.leave_organization(actor=request.user, organization=organization),  # type: ignore[arg-type]
    )
    if error is not None:
        return _members_page(request, status=error.status)
    messages.success(request, _("You left %(name)s.") % {"name": organization.name})
    return redirect("web:home")


# Teams ------------------------------------------------------------------------------------------


def _teams_page(
    request: HttpRequest, *, create_form: TeamForm | None = None, status: int = 200
) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    me = request.membership  # type: ignore[attr-defined]
    users = (
        [m.user for m in selectors.members_of_organization(organization=organization)] if me.is_admin else []
    )
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


@organization_page
def teams(request: HttpRequest) -> HttpResponse:
    return _teams_page(request)


@organization_page
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _teams_page(request, create_form=form, status=400)
    error = _attempt(
        request,
        lambda: services.create_team(
            actor=request.user,  # type: ignore[arg-type]
            organization=organization,
            name=form.cleaned_data["name"],
        ),
        form=form,
    )
    if error is not None:
        return _teams_page(request, create_form=form, status=error.status)
    messages.success(request, _("The team %(name)s was created.") % {"name": form.cleaned_data["name"]})
    return redirect("organizations:teams", organization.id)


@organization_page
@require_POST
def team_delete(request: HttpRequest, team_id: Any) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    team = selectors.team_get(organization=organization, team_id=team_id)
    error = _attempt(request, lambda: services.delete_team(actor=request.user, team=team))  # type: ignore[arg-type]
    if error is not None:
        return _teams_page(request, status=error.status)
    messages.success(request, _("The team %(name)s was deleted.") % {"name": team.name})
    return redirect("organizations:teams", organization.id)


@organization_page
@require_POST
def team_member_add(request: HttpRequest, team_id: Any) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    team = selectors.team_get(organization=organization, team_id=team_id)
    form = TeamMemberForm(request.POST, members=selectors.members_as_users(organization=organization))
    if not form.is_valid():
        messages.error(request, _("Choose a member of the Organization."))
        return _teams_page(request, status=400)
    user = form.cleaned_data["user"]
    error = _attempt(request, lambda: services.add_team_member(actor=request.user, team=team, user=user))  # type: ignore[arg-type]
    if error is not None:
        return _teams_page(request, status=error.status)
    messages.success(request, _("%(name)s joined %(team)s.") % {"name": user.display_name, "team": team.name})
    return redirect("organizations:teams", organization.id)


@organization_page
@require_POST
def team_member_remove(request: HttpRequest, team_id: Any, user_id: Any) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    team = selectors.team_get(organization=organization, team_id=team_id)
    user = selectors.member_get(organization=organization, user_id=user_id)
    error = _attempt(request, lambda: services.remove_team_member(actor=request.user, team=team, user=user))  # type: ignore[arg-type]
    if error is not None:
        return _teams_page(request, status=error.status)
    messages.success(request, _("%(name)s left %(team)s.") % {"name": user.display_name, "team": team.name})
    return redirect("organizations:teams", organization.id)


# Settings ---------------------------------------------------------------------------------------


def _settings_page(
    request: HttpRequest, *, rename_form: RenameForm | None = None, status: int = 200
) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    me = request.membership  # type: ignore[attr-defined]
    context = {
        "nav": "settings",
        "rename_form": rename_form
        or (RenameForm(initial={"name": organization.name}) if me.is_admin else None),
        "can_manage": me.is_admin,
        "is_legal_representative": me.role == Role.LEGAL_REPRESENTATIVE,
    }
    return render(request, "organizations/settings.html", context, status=status)


@organization_page
def settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _settings_page(request)
    organization = request.organization  # type: ignore[attr-defined]
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, rename_form=form, status=400)
    error = _attempt(
        request,
        lambda: services.rename_organization(
            actor=request.user,  # type: ignore[arg-type]
            organization=organization,
            name=form.cleaned_data["name"],
        ),
        form=form,
    )
    if error is not None:
        return _settings_page(request, rename_form=form, status=error.status)
    messages.success(request, _("The Organization was renamed."))
    return redirect("organizations:settings", organization.id)


@organization_page
@require_POST
def transfer_lock(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = TransferLockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether outgoing transfers are locked."))
        return _settings_page(request, status=400)
    locked = form.cleaned_data["locked"]
    error = _attempt(
        request,
        lambda: services.set_transfer_lock(actor=request.user, organization=organization, locked=locked),  # type: ignore[arg-type]
    )
    if error is not None:
        return _settings_page(request, status=error.status)
    messages.success(
        request,
        _("Outgoing transfers are now locked.") if locked else _("Outgoing transfers are allowed again."),
    )
    return redirect("organizations:settings", organization.id)
