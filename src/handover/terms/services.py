"""General conditions: publishing versions and recording each acceptance."""

from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.context import client_ip
from handover.audit.models import AuditAction
from handover.audit.services import record_event
from handover.organizations.access import require_member
from handover.organizations.models import Organization
from handover.terms.errors import ConditionsVersionTaken, InvalidConditions, UnknownAcceptanceStep
from handover.terms.models import Acceptance, AcceptanceStep, GeneralConditions
from handover.terms.selectors import current_conditions


@transaction.atomic
def publish_conditions(*, version: str, title: str, body: str) -> GeneralConditions:
    """Publish a new version of the general conditions; it is in force from now on (an operator's
    action). Raises InvalidConditions for an empty field and ConditionsVersionTaken for a known version."""
    version, title, body = (version or "").strip(), (title or "").strip(), (body or "").strip()
    if not (version and title and body) or len(version) > 20 or len(title) > 200:
        raise InvalidConditions()
    if GeneralConditions.objects.filter(version=version).exists():
        raise ConditionsVersionTaken(version=version)
    try:
        with transaction.atomic():
            return GeneralConditions.objects.create(
                version=version, title=title, body=body, published_at=timezone.now()
            )
    except IntegrityError as exc:
        raise ConditionsVersionTaken(version=version) from exc


@transaction.atomic
def record_acceptance(
    *, user: User, organization: Organization, step: str, reference: UUID | None = None
) -> Acceptance:
    """Record that `user`, a member of `organization`, accepted the version in force for it at `step`
    (`reference`: the transfer it was for), with the request's IP address; audited in `organization`.

    Raises NoConditionsPublished, UnknownAcceptanceStep, and NotFound for a non-member.
    """
    require_member(user=user, organization=organization)
    if step not in AcceptanceStep.values:
        raise UnknownAcceptanceStep(step=step, valid=", ".join(AcceptanceStep.values))
    conditions = current_conditions()
    acceptance = Acceptance.objects.create(
        conditions=conditions,
        user=user,
        organization=organization,
        step=step,
        reference=reference,
        ip=client_ip.get(),
    )
    record_event(
        actor=user,
        organization=organization,
        action=AuditAction.TERMS_ACCEPTED,
        target=conditions,
        details={
            "version": conditions.version,
            "step": step,
            "reference": str(reference) if reference else None,
        },
    )
    return acceptance
