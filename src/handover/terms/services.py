"""General conditions: publishing versions and recording each acceptance."""

from uuid import UUID

from handover.accounts.models import User
from handover.audit.context import client_ip
from handover.organizations.models import Organization
from handover.terms.models import Acceptance, GeneralConditions


def record_acceptance(
    *, user: User, organization: Organization, step: str, reference: UUID | None = None
) -> Acceptance:
    """Record that `user` accepted the version in force, for `organization`, at `step`."""
    conditions = GeneralConditions.objects.order_by("-published_at").first()
    if conditions is None:
        raise GeneralConditions.DoesNotExist("No general conditions are published.")
    return Acceptance.objects.create(
        conditions=conditions,
        user=user,
        organization=organization,
        step=step,
        reference=reference,
        ip=client_ip.get(),
    )
