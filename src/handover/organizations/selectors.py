"""Reads of Organizations and their members, scoped to what the user may see."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from handover.accounts.models import User
from handover.errors import NotFound
from handover.organizations.models import ADMIN_ROLES, Membership


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their Organizations, by Organization name (one query)."""
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def organization_get_for_member(*, user: User, organization_id: UUID | str | Any) -> Membership:
    """The user's membership of that Organization (with it joined); NotFound for non-members."""
    try:
        return Membership.objects.select_related("organization").get(
            user=user, organization_id=organization_id
        )
    except (Membership.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def admin_memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """Memberships where the user may manage products and transfers."""
    return memberships_for_user(user=user).filter(role__in=ADMIN_ROLES)
