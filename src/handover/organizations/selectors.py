"""Reads of Organizations, their members and teams, scoped to what the user may see."""

from contextlib import suppress
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from handover.accounts.models import User
from handover.errors import NotFound
from handover.organizations.access import Permission, roles_with
from handover.organizations.errors import AmbiguousOrganization, OrganizationNotFound
from handover.organizations.models import Membership, Organization, Role, Team
from handover.products.models import Product

# Legal representatives first, then administrators, then collaborators.
ROLE_RANK = Case(
    When(role=Role.LEGAL_REPRESENTATIVE, then=Value(0)),
    When(role=Role.ADMINISTRATOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their Organizations, by Organization name (one query)."""
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def membership_to_open(*, user: User, remembered: str | None = None) -> Membership | None:
    """The membership whose Organization the Manager opens for `user`: the one this session used
    last (`remembered`, an Organization id), else the one the user used last on any device or
    browser, else the first by name; None without any (one query)."""
    order: list[Any] = []
    with suppress(ValueError):  # nothing (or nothing valid) remembered in this session
        order.append(Case(When(organization_id=UUID(remembered or ""), then=Value(0)), default=Value(1)))
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by(*order, F("last_used_at").desc(nulls_last=True), "organization__name")
        .first()
    )


def memberships_for_user_with(*, user: User, permission: Permission) -> QuerySet[Membership]:
    """The user's memberships whose role holds `permission` (e.g. the Organizations a transfer may be
    received into)."""
    return memberships_for_user(user=user).filter(role__in=roles_with(permission))


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    """The Organizations the user belongs to, by name, each annotated with the user's `role` there
    (one query)."""
    role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Organization.objects.filter(memberships__user=user)
        .annotate(role=Subquery(role))
        .order_by("name", "created_at")
    )


def members_of_organization(*, organization: Organization) -> QuerySet[Membership]:
    """The Organization's memberships with their users: legal representatives first, then
    administrators, then collaborators, each by name (one query)."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .annotate(role_rank=ROLE_RANK)
        .order_by("role_rank", "user__name", "user__email")
    )


def membership_get(*, organization: Organization, membership_id: UUID | str | Any) -> Membership:
    """One membership of the Organization, with its user; NotFound for another Organization's."""
    try:
        membership = Membership.objects.select_related("user").get(
            organization=organization, pk=membership_id
        )
    except (Membership.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc
    membership.organization = organization
    return membership


def members_as_users(*, organization: Organization) -> QuerySet[User]:
    """The users who are members of the Organization, by name."""
    return User.objects.filter(memberships__organization=organization).order_by("name", "email")


def member_get(*, organization: Organization, user_id: UUID | str | Any) -> User:
    """A user who is a member of the Organization; NotFound for anyone else."""
    try:
        return members_as_users(organization=organization).get(pk=user_id)
    except (User.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc


def teams_of_organization(*, organization: Organization) -> QuerySet[Team]:
    """The Organization's teams by name, each with `member_count` and its members by name
    prefetched (two queries, whatever the number of teams and members)."""
    return (
        Team.objects.filter(organization=organization)
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(Prefetch("members", queryset=User.objects.order_by("name", "email")))
        .order_by("name")
    )


def team_get(*, organization: Organization, team_id: UUID | str | Any) -> Team:
    """One team of the Organization; NotFound for another Organization's."""
    try:
        team = Team.objects.get(organization=organization, pk=team_id)
    except (Team.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc
    team.organization = organization
    return team


def products_to_grant(*, organization: Organization) -> QuerySet[Product]:
    """The Organization's products by name, to choose from when giving a new member access."""
    return Product.objects.filter(organization=organization).order_by("name")


def organization_get_by_ref(*, ref: str) -> Organization:
    """The Organization whose id, or else whose exact name, is `ref` (for the CLI's `ORG`).

    Raises OrganizationNotFound, and AmbiguousOrganization when several share that name.
    """
    ref = ref.strip()
    try:
        by_id = Organization.objects.filter(pk=UUID(ref)).first()
    except ValueError:
        by_id = None
    if by_id is not None:
        return by_id
    named = list(Organization.objects.filter(name=ref)[:2])
    if not named:
        raise OrganizationNotFound(ref=ref)
    if len(named) > 1:
        raise AmbiguousOrganization(ref=ref)
    return named[0]
