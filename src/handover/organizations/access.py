"""Who may do what in an Organization: the one place every service, selector, page, API handler,
command and template asks.

A member's role gives them a set of permissions (`ROLE_PERMISSIONS`, SPEC §1): legal representatives
and administrators manage products, members, teams, transfers, invoices, the audit log and webhooks;
only a legal representative grants, withdraws or removes the legal representative role and locks
outgoing transfers; a collaborator sees only the products granted to them or to one of their teams.
Anyone who is not a member gets NotFound, so that another Organization's objects cannot be told apart
from objects that do not exist. Services take `actor=None` for a trusted operator (CLI, demo): `authorize`
lets the operator through.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery

from handover.accounts.models import User
from handover.errors import NotFound, PermissionDenied
from handover.organizations.errors import LegalRepresentativeRequired
from handover.organizations.models import Membership, Organization, Role
from handover.products.models import ProductAccess


class Permission(StrEnum):
    VIEW_ALL_PRODUCTS = "products:view_all"  # a collaborator sees only what was granted
    MANAGE_PRODUCTS = "products:manage"  # create, link, change status, grant and revoke rights
    MANAGE_ORGANIZATION = "organization:manage"  # rename
    MANAGE_MEMBERS = "members:manage"  # add, change the role of, remove administrators and collaborators
    MANAGE_LEGAL_REPRESENTATIVES = "members:manage_legal_representatives"
    MANAGE_TEAMS = "teams:manage"
    LOCK_TRANSFERS = "transfers:lock"  # forbid or allow again transfers out of the Organization
    MANAGE_TRANSFERS = "transfers:manage"  # start, renew a link, send, complete, cancel, receive into
    VIEW_INVOICES = "invoices:view"
    VIEW_AUDIT_LOG = "audit:view"
    MANAGE_WEBHOOKS = "webhooks:manage"  # register, rotate the secret of, delete endpoints; see deliveries


_LEGAL_REPRESENTATIVE_ONLY = frozenset({Permission.MANAGE_LEGAL_REPRESENTATIVES, Permission.LOCK_TRANSFERS})

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.LEGAL_REPRESENTATIVE: frozenset(Permission),
    Role.ADMINISTRATOR: frozenset(Permission) - _LEGAL_REPRESENTATIVE_ONLY,
    Role.COLLABORATOR: frozenset(),
}


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that hold `permission`, for queries over memberships."""
    return frozenset(Role(role) for role, granted in ROLE_PERMISSIONS.items() if permission in granted)


def has_role_permission(role: str | None, permission: Permission) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())


def has_permission(membership: Membership | None, permission: Permission) -> bool:
    return membership is not None and has_role_permission(membership.role, permission)


def role_in(organization: Any, user: Any) -> Subquery:
    """The role of `user` in `organization` (each a value or an OuterRef), None for a non-member or
    a deactivated user: a subquery to annotate rows with, so that what someone may do now is read with
    the rows, then checked with `has_role_permission`."""
    return Subquery(
        Membership.objects.filter(organization=organization, user=user, user__is_active=True).values("role")[
            :1
        ]
    )


def may_issue_transfer_links(role: str | None) -> bool:
    """Whether a member with `role` may issue a transfer link: a link stays valid only while the
    person who issued it (started, renewed or sent it) still may (SPEC §6.2)."""
    return has_role_permission(role, Permission.MANAGE_TRANSFERS)


def is_admin(membership: Membership | None) -> bool:
    """Administrators and legal representatives: those who manage the Organization's transfers."""
    return has_permission(membership, Permission.MANAGE_TRANSFERS)


# The membership lookup --------------------------------------------------------------------------


def require_member(*, user: User | Any, organization: Organization | Any) -> Membership:
    """The user's membership of `organization` (an Organization or its id), with the Organization
    joined, in one query. Raises NotFound for anyone else: anonymous users, strangers, malformed ids."""
    if user is None or not user.is_authenticated:
        raise NotFound()
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    try:
        return Membership.objects.select_related("organization").get(
            user=user, organization_id=organization_id
        )
    except (Membership.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc


def require(*, user: User | Any, organization: Organization | Any, permission: Permission) -> Membership:
    """As `require_member`, and raises PermissionDenied (LegalRepresentativeRequired for what only a
    legal representative may do) unless the member's role holds `permission`."""
    membership = require_member(user=user, organization=organization)
    check(membership, permission)
    return membership


def check(membership: Membership, permission: Permission) -> None:
    """Raise as `require` does, for a membership already at hand."""
    if not has_permission(membership, permission):
        if permission in _LEGAL_REPRESENTATIVE_ONLY:
            raise LegalRepresentativeRequired()
        raise PermissionDenied()


def require_admin(*, user: User | Any, organization: Organization | Any) -> Membership:
    """An administrator or legal representative of `organization` (see `is_admin`)."""
    return require(user=user, organization=organization, permission=Permission.MANAGE_TRANSFERS)


def require_legal_representative(*, user: User | Any, organization: Organization | Any) -> Membership:
    return require(user=user, organization=organization, permission=Permission.MANAGE_LEGAL_REPRESENTATIVES)


def authorize(actor: User | None, organization: Organization, permission: Permission) -> None:
    """For services: `actor` must hold `permission` in `organization`; `None`, a trusted operator
    (CLI, demo), may do anything."""
    if actor is not None:
        require(user=actor, organization=organization, permission=permission)


def require_in_either(roles: Iterable[str | None], permission: Permission) -> None:
    """For an object shared by two Organizations (a transfer), given the user's role in each (None
    where they are not a member): NotFound unless they belong to one of them, PermissionDenied unless
    one of those roles holds `permission`."""
    held = [role for role in roles if role]
    if not held:
        raise NotFound()
    if not any(has_role_permission(role, permission) for role in held):
        raise PermissionDenied()


# Members and roles ------------------------------------------------------------------------------


def permission_to_manage(*roles: str | None) -> Permission:
    """What it takes to give, change or take away these roles: any admin manages administrators and
    collaborators; the legal representative role takes a legal representative."""
    if Role.LEGAL_REPRESENTATIVE in roles:
        return Permission.MANAGE_LEGAL_REPRESENTATIVES
    return Permission.MANAGE_MEMBERS


def may_manage_member(me: Membership, other: Membership) -> bool:
    """Whether `me` may change the role of, or remove, `other`."""
    return has_permission(me, permission_to_manage(other.role))


def grantable_roles(me: Membership) -> list[Role]:
    """The roles `me` may give to a member."""
    return [role for role in Role if has_permission(me, permission_to_manage(role))]


def loses_transfer_rights(previous_role: str, new_role: str | None) -> bool:
    """Whether going from `previous_role` to `new_role` (None: no longer a member) takes away the
    right to manage transfers, and so every capability the member issued for the Organization."""
    return has_role_permission(previous_role, Permission.MANAGE_TRANSFERS) and not has_role_permission(
        new_role, Permission.MANAGE_TRANSFERS
    )


# Products ---------------------------------------------------------------------------------------


def visible_products(membership: Membership) -> Q:
    """The condition on products of the member's Organization that they may see: every one with
    VIEW_ALL_PRODUCTS, else those granted to them or to one of their teams."""
    in_organization = Q(organization_id=membership.organization_id)
    if has_permission(membership, Permission.VIEW_ALL_PRODUCTS):
        return in_organization
    # EXISTS rather than joins, so that a product granted twice (to the user and a team) is listed once.
    user = membership.user_id
    granted = ProductAccess.objects.filter(product=OuterRef("pk")).filter(
        Q(user_id=user) | Q(team__members=user)
    )
    return in_organization & Q(Exists(granted))


# Pages ------------------------------------------------------------------------------------------


def permissions_for_templates(membership: Membership | None) -> dict[str, bool]:
    """`{"manage_transfers": True, …}`: what a page may offer the member, by permission name."""
    return {permission.name.lower(): has_permission(membership, permission) for permission in Permission}
