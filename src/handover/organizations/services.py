"""Organizations, memberships and teams: every change, and who may make it."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from handover.accounts.models import User
from handover.audit.models import AuditAction
from handover.audit.services import record_event
from handover.errors import NotFound, PermissionDenied
from handover.organizations.models import ADMIN_ROLES, Membership, Organization, Role

LEGAL_REPRESENTATIVE_ONLY = _("Only a legal representative of the Organization may do this.")


def require_member(*, user: User, organization: Organization) -> Membership:
    """The user's membership of `organization`; raises NotFound for anyone else, so that another
    Organization's objects are indistinguishable from objects that do not exist."""
    if not user.is_authenticated:
        raise NotFound()
    membership = Membership.objects.filter(user=user, organization=organization).first()
    if membership is None:
        raise NotFound()
    return membership


def require_admin(*, user: User, organization: Organization) -> Membership:
    """As `require_member`, and raises PermissionDenied unless the user is an administrator or a
    legal representative."""
    membership = require_member(user=user, organization=organization)
    if membership.role not in ADMIN_ROLES:
        raise PermissionDenied()
    return membership


def require_legal_representative(*, user: User, organization: Organization) -> Membership:
    """As `require_member`, and raises PermissionDenied unless the user is a legal representative."""
    membership = require_member(user=user, organization=organization)
    if membership.role != Role.LEGAL_REPRESENTATIVE:
        raise PermissionDenied(LEGAL_REPRESENTATIVE_ONLY)
    return membership


@transaction.atomic
def create_organization(*, actor: User, name: str, country: str = "CH") -> Organization:
    """Create an Organization with `actor` as its legal representative."""
    organization = Organization.objects.create(name=name.strip(), country=country)
    Membership.objects.create(organization=organization, user=actor, role=Role.LEGAL_REPRESENTATIVE)
    record_event(
        actor=actor,
        organization=organization,
        action=AuditAction.ORGANIZATION_CREATED,
        target=organization,
    )
    return organization
