"""Organizations, memberships and teams: every change.

Who may make each change is asked of `access`; every Organization keeps at least one legal
representative. `actor=None` means a trusted operator (CLI, demo, admin): no role check, and the
audit event has no actor.
"""

import re
from collections.abc import Iterable
from typing import cast

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handover import ratelimits, text
from handover.accounts.models import User
from handover.accounts.services import clean_email, create_user
from handover.audit.models import AuditAction, AuditEvent
from handover.audit.services import Event, record_event, record_events
from handover.errors import NotFound
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.errors import (
    AlreadyMember,
    InvalidCountry,
    InvalidName,
    LastLegalRepresentative,
    NotAMember,
    TeamNameTaken,
    UnknownRole,
)
from handover.organizations.models import Membership, Organization, Role, Team
from handover.organizations.signals import admin_rights_lost
from handover.organizations.tasks import send_membership_email
from handover.products.errors import UnknownAccessLevel
from handover.products.models import AccessLevel, Product, ProductAccess

ORGANIZATION_NAME_MAX = cast(int, Organization._meta.get_field("name").max_length)
TEAM_NAME_MAX = cast(int, Team._meta.get_field("name").max_length)
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


# Input checks -----------------------------------------------------------------------------------


def _clean_name(name: str, max_length: int) -> str:
    name = text.one_line(name, field="name")
    if not name or len(name) > max_length:
        raise InvalidName(fields={"name": str(InvalidName.message) % {"max": max_length}}, max=max_length)
    return name


def _clean_country(country: str) -> str:
    country = (country or "").strip().upper()
    if not COUNTRY_CODE.match(country):
        raise InvalidCountry(fields={"country": str(InvalidCountry.message)})
    return country


def _clean_role(role: str) -> Role:
    if role not in Role.values:
        raise UnknownRole(fields={"role": str(UnknownRole.message) % {"role": role}}, role=role)
    return Role(role)


def _clean_level(level: str) -> AccessLevel:
    if level not in AccessLevel.values:
        valid = ", ".join(AccessLevel.values)
        raise UnknownAccessLevel(
            fields={"level": str(UnknownAccessLevel.message) % {"level": level, "valid": valid}},
            level=level,
            valid=valid,
        )
    return AccessLevel(level)


# Shared steps -----------------------------------------------------------------------------------


def _lock(organization: Organization) -> Organization:
    """Lock the Organization's row for the rest of the transaction. Every change of membership takes
    this lock first, so two concurrent demotions of the last two legal representatives are
    serialized and the second one counts what the first one left (PostgreSQL; SQLite's immediate
    transactions serialize writers anyway). FOR NO KEY UPDATE, like PostgreSQL's own UPDATE: it
    still serializes these changes, but not the foreign-key checks of rows that point at the
    Organization (a concurrent receive's audit events), which would otherwise deadlock with it."""
    try:
        return Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
    except Organization.DoesNotExist as exc:
        raise NotFound() from exc


def _locked_membership(membership: Membership) -> Membership:
    """Lock the Organization, then re-read `membership` as it is now (it may have changed or gone)."""
    organization = _lock(membership.organization)
    try:
        fresh = Membership.objects.select_related("user").get(pk=membership.pk)
    except Membership.DoesNotExist as exc:
        raise NotFound() from exc
    fresh.organization = organization
    return fresh


def _ensure_another_legal_representative(membership: Membership) -> None:
    """Raise LastLegalRepresentative when `membership` is the Organization's only legal
    representative. Call with the Organization locked."""
    if membership.role != Role.LEGAL_REPRESENTATIVE:
        return
    others = (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.LEGAL_REPRESENTATIVE)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise LastLegalRepresentative()


def _strip_rights(membership: Membership) -> dict[str, object]:
    """Remove the member's product access and team memberships in their Organization; returns what
    was removed, for the audit event."""
    organization_id = membership.organization_id
    accesses, _by_model = ProductAccess.objects.filter(
        user_id=membership.user_id, product__organization_id=organization_id
    ).delete()
    team_links = Team.members.through.objects.filter(
        team__organization_id=organization_id, user_id=membership.user_id
    )
    teams = sorted(team_links.values_list("team__name", flat=True))
    team_links.delete()
    return {"product_accesses_removed": accesses, "teams_left": teams}


def _after_role_change(membership: Membership, previous_role: str, new_role: str | None, reason: str) -> None:
    """Rights follow people at once (SPEC §3.10): a member who loses the right to manage transfers
    (`new_role` None: no longer a member) is announced to the apps above, inside the same
    transaction, so that every capability they issued dies with the change."""
    if access.loses_transfer_rights(previous_role, new_role):
        _withdraw_invitations_sent_by(membership.user, membership.organization, reason)
        admin_rights_lost.send(
            sender=Membership, user=membership.user, organization=membership.organization, reason=reason
        )


def _withdraw_invitations_sent_by(user: User, organization: Organization, reason: str) -> None:
    """A pending invitation dies with the right of whoever sent it (SPEC §6.2): the memberships `user`
    created for new accounts (`invited` in the audit event of the addition) whose owner has never
    signed in are withdrawn, rights included. The Organization keeps a legal representative."""
    invited = AuditEvent.objects.filter(
        organization=organization, actor=user, action=AuditAction.MEMBERSHIP_ADDED, details__invited=True
    ).values_list("target_id", flat=True)
    pending = list(
        Membership.objects.select_related("user").filter(
            organization=organization, user_id__in=list(invited), user__last_login__isnull=True
        )
    )
    others = Membership.objects.filter(organization=organization, role=Role.LEGAL_REPRESENTATIVE).exclude(
        pk__in=[m.pk for m in pending]
    )
    if not others.exists():
        pending = [m for m in pending if m.role != Role.LEGAL_REPRESENTATIVE]
    for withdrawn in pending:
        removed = _strip_rights(withdrawn)
        withdrawn.delete()
        record_event(
            actor=None,
            organization=organization,
            action=AuditAction.MEMBERSHIP_REMOVED,
            target=withdrawn.user,
            details={
                "email": withdrawn.user.email,
                "role": withdrawn.role,
                "invited_by": user.email,
                "reason": reason,
                **removed,
            },
        )


def _user_by_email(email: str) -> User | None:
    """The user with this address as their login, else as one of their verified addresses."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    address = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    return address.user if address is not None else None


# Organizations ----------------------------------------------------------------------------------


@transaction.atomic
def create_organization(*, actor: User, name: str, country: str = "CH") -> Organization:
    """Create an Organization with `actor` as its legal representative.

    Raises InvalidName or InvalidCountry for bad input.
    """
    name = _clean_name(name, ORGANIZATION_NAME_MAX)
    country = _clean_country(country)
    organization = Organization.objects.create(name=name, country=country)
    Membership.objects.create(organization=organization, user=actor, role=Role.LEGAL_REPRESENTATIVE)
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.ORGANIZATION_CREATED,
        target=organization,
        details={"name": name, "country": country, "legal_representative": actor.email},
    )
    return organization


def remember_organization_used(*, membership: Membership) -> None:
    """Note that the user just switched to this Organization, so that their next sign-in, on any
    device, lands there. Not audited: it changes nothing of the Organization."""
    Membership.objects.filter(pk=membership.pk).update(last_used_at=timezone.now())


@transaction.atomic
def rename_organization(*, actor: User | None, organization: Organization, name: str) -> Organization:
    """Rename the Organization (admins). Raises InvalidName, NotFound or PermissionDenied."""
    access.authorize(actor, organization, Permission.MANAGE_ORGANIZATION)
    name = _clean_name(name, ORGANIZATION_NAME_MAX)
    organization = _lock(organization)
    previous = organization.name
    if previous == name:
        return organization
    organization.name = name
    organization.save(update_fields=["name"])
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.ORGANIZATION_RENAMED,
        target=organization,
        details={"from": previous, "to": name},
    )
    return organization


@transaction.atomic
def set_transfer_lock(*, actor: User | None, organization: Organization, locked: bool) -> Organization:
    """Forbid (`locked`) or allow again transfers out of the Organization (SPEC §3.6); legal
    representatives only. Setting the state it already has changes and records nothing."""
    access.authorize(actor, organization, Permission.LOCK_TRANSFERS)
    organization = _lock(organization)
    if organization.transfers_locked == locked:
        return organization
    organization.transfers_locked = locked
    organization.save(update_fields=["transfers_locked"])
    record_event(
        actor=actor,
        organization=organization,
        action=(
            AuditAction.ORGANIZATION_TRANSFER_LOCK_SET
            if locked
            else AuditAction.ORGANIZATION_TRANSFER_LOCK_LIFTED
        ),
        target=organization,
    )
    return organization


# Members ----------------------------------------------------------------------------------------


@transaction.atomic
def add_member(
    *,
    actor: User | None,
    organization: Organization,
    email: str,
    role: str,
    name: str = "",
    products: Iterable[Product] = (),
    level: str = AccessLevel.USE,
    notify: bool = True,
) -> Membership:
    """Add the person with `email` to the Organization with `role`, and give them `level` access to
    `products` (which must belong to it). A person without an account gets one, with no password
    yet, and an invitation email with a link to choose one; an existing user gets a notice (unless
    not `notify`: an operator loading data).

    Raises InvalidEmail, UnknownRole, UnknownAccessLevel, AlreadyMember, NotFound (a product of
    another Organization) or PermissionDenied (only a legal representative grants that role).
    """
    role = _clean_role(role)
    organization = _lock(organization)
    access.authorize(actor, organization, access.permission_to_manage(role))
    email = clean_email(email)
    level = _clean_level(level)
    products = list(products)
    if any(product.organization_id != organization.pk for product in products):
        raise NotFound()
    ratelimits.consume("invite_member", user=actor, organization=organization)

    user = _user_by_email(email)
    invited = user is None
    if user is None:
        # The person proves they own the address by following the emailed link to set a password,
        # the only way into the new account: so the address counts as verified.
        user = create_user(email=email, name=name, password=None, verified=True)
    elif Membership.objects.filter(organization=organization, user=user).exists():
        raise AlreadyMember(email=email)

    membership = Membership.objects.create(organization=organization, user=user, role=role)
    ProductAccess.objects.bulk_create(
        [ProductAccess(product=product, user=user, level=level) for product in products]
    )
    record_events(
        actor=actor,
        events=[
            Event(
                organization,
                AuditAction.MEMBERSHIP_ADDED,
                user,
                {"email": user.email, "role": role.value, "invited": invited},
            ),
            *(
                Event(
                    organization,
                    AuditAction.PRODUCT_ACCESS_GRANTED,
                    product,
                    {"user": user.email, "level": level.value},
                )
                for product in products
            ),
        ],
    )
    if notify or invited:  # a new account always needs its link to choose a password
        send_membership_email.enqueue(
            membership_id=str(membership.pk),
            inviter_id=str(actor.pk) if actor is not None else None,
            invited=invited,
        )
    membership.organization = organization
    return membership


@transaction.atomic
def change_member_role(*, actor: User | None, membership: Membership, role: str) -> Membership:
    """Give the member `role`. Admins change administrators and collaborators; only a legal
    representative grants or withdraws the legal representative role. A member who stops being an
    admin has their pending transfers cancelled.

    Raises UnknownRole, NotFound, PermissionDenied or LastLegalRepresentative.
    """
    role = _clean_role(role)
    membership = _locked_membership(membership)
    organization = membership.organization
    previous = membership.role
    access.authorize(actor, organization, access.permission_to_manage(previous, role))
    if previous == role:
        return membership
    _ensure_another_legal_representative(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
        target=membership.user,
        details={"email": membership.user.email, "from": previous, "to": role.value},
    )
    _after_role_change(
        membership,
        previous,
        role,
        _("%(name)s is no longer an administrator of %(organization)s.")
        % {"name": membership.user.display_name, "organization": organization.name},
    )
    return membership


@transaction.atomic
def remove_member(*, actor: User | None, membership: Membership) -> None:
    """Remove the member from the Organization, with their product access and team memberships
    there, and cancel the transfers they started. Removing a legal representative takes a legal
    representative.

    Raises NotFound, PermissionDenied or LastLegalRepresentative.
    """
    membership = _locked_membership(membership)
    organization = membership.organization
    access.authorize(actor, organization, access.permission_to_manage(membership.role))
    _end_membership(actor, membership, AuditAction.MEMBERSHIP_REMOVED)


@transaction.atomic
def leave_organization(*, actor: User, organization: Organization) -> None:
    """The actor leaves the Organization, losing their product access and team memberships there;
    their pending transfers are cancelled.

    Raises NotFound for non-members and LastLegalRepresentative for its only legal representative.
    """
    membership = access.require_member(user=actor, organization=organization)
    membership = _locked_membership(membership)
    _end_membership(actor, membership, AuditAction.MEMBERSHIP_LEFT)


def _end_membership(actor: User | None, membership: Membership, action: AuditAction) -> None:
    organization = membership.organization
    _ensure_another_legal_representative(membership)
    removed = _strip_rights(membership)
    previous = membership.role
    membership.delete()
    record_event(
        actor=actor,
        organization=organization,
        action=action,
        target=membership.user,
        details={"email": membership.user.email, "role": previous, **removed},
    )
    reason = (
        _("%(name)s left %(organization)s.")
        if action == AuditAction.MEMBERSHIP_LEFT
        else _("%(name)s was removed from %(organization)s.")
    )
    _after_role_change(
        membership,
        previous,
        None,
        reason % {"name": membership.user.display_name, "organization": organization.name},
    )


# Teams ------------------------------------------------------------------------------------------


@transaction.atomic
def create_team(*, actor: User | None, organization: Organization, name: str) -> Team:
    """Create a work team in the Organization (admins).

    Raises InvalidName, TeamNameTaken, NotFound or PermissionDenied.
    """
    access.authorize(actor, organization, Permission.MANAGE_TEAMS)
    name = _clean_name(name, TEAM_NAME_MAX)
    if Team.objects.filter(organization=organization, name__iexact=name).exists():
        raise TeamNameTaken(fields={"name": str(TeamNameTaken.message)})
    try:
        with transaction.atomic():
            team = Team.objects.create(organization=organization, name=name)
    except IntegrityError as exc:  # created by a concurrent request since the check above
        raise TeamNameTaken(fields={"name": str(TeamNameTaken.message)}) from exc
    record_event(actor=actor, organization=organization, action=AuditAction.TEAM_CREATED, target=team)
    return team


@transaction.atomic
def delete_team(*, actor: User | None, team: Team) -> None:
    """Delete the team, and with it the product rights granted to it (admins).

    Raises NotFound or PermissionDenied.
    """
    organization = team.organization
    access.authorize(actor, organization, Permission.MANAGE_TEAMS)
    members = sorted(team.members.values_list("email", flat=True))
    accesses = ProductAccess.objects.filter(team=team).count()
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.TEAM_DELETED,
        target=team,
        details={"name": team.name, "members": members, "product_accesses_removed": accesses},
    )
    team.delete()


@transaction.atomic
def add_team_member(*, actor: User | None, team: Team, user: User) -> Team:
    """Put a member of the team's Organization in the team (admins); a member already in it is left
    as is. Raises NotAMember, NotFound or PermissionDenied."""
    organization = team.organization
    access.authorize(actor, organization, Permission.MANAGE_TEAMS)
    if not Membership.objects.filter(organization=organization, user=user).exists():
        raise NotAMember(fields={"user": str(NotAMember.message) % {"email": user.email}}, email=user.email)
    if team.members.filter(pk=user.pk).exists():
        return team
    team.members.add(user)
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.TEAM_MEMBER_ADDED,
        target=team,
        details={"email": user.email},
    )
    return team


@transaction.atomic
def remove_team_member(*, actor: User | None, team: Team, user: User) -> Team:
    """Take the user out of the team (admins), and with it the rights they had through it; a user
    not in the team is left as is. Raises NotFound or PermissionDenied."""
    organization = team.organization
    access.authorize(actor, organization, Permission.MANAGE_TEAMS)
    if not team.members.filter(pk=user.pk).exists():
        return team
    team.members.remove(user)
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.TEAM_MEMBER_REMOVED,
        target=team,
        details={"email": user.email},
    )
    return team
