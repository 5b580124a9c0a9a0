"""The invariants of SPEC §2 and §5 over the whole database, checked after races, faults and random
steps. `violations()` lists what is broken, in words, so that a failing test says what went wrong."""

from collections import Counter, defaultdict

from django.db.models import Count, F
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from handover.audit.models import AuditAction, AuditEvent
from handover.organizations.models import Membership
from handover.products.models import Product, ProductAccess
from handover.terms.models import Acceptance, AcceptanceStep
from handover.transfers.models import Transfer, TransferItem, TransferState

COMPLETED_EMAILS_TASK = "handover.transfers.tasks.send_transfer_completed_emails"


def completed_email_tasks() -> Counter[str]:
    """How many "transfer completed" email tasks are queued (or ran) per transfer id."""
    return Counter(
        kwargs["kwargs"]["transfer_id"]
        for kwargs in DBTaskResult.objects.filter(task_path=COMPLETED_EMAILS_TASK).values_list(
            "args_kwargs", flat=True
        )
    )


def violations() -> list[str]:
    """Every broken invariant, as a sentence; an empty list when the database is consistent."""
    problems: list[str] = []

    doubles = (
        TransferItem.objects.filter(pending=True).values("product_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    problems += [f"product {d['product_id']} is in {d['n']} pending transfers" for d in doubles]
    for item in TransferItem.objects.filter(pending=True).exclude(transfer__state=TransferState.PENDING):
        problems.append(f"item {item.pk} is pending in a transfer that is not")
    # Past its expiry a transfer awaiting the sweep may have released a product to a new transfer.
    for item in TransferItem.objects.filter(
        pending=False, transfer__state=TransferState.PENDING, transfer__expires_at__gt=timezone.now()
    ):
        problems.append(f"item {item.pk} is not pending in a pending transfer")
    for item in TransferItem.objects.filter(pending=True).exclude(
        product__organization=F("transfer__source_organization")
    ):
        problems.append(f"product {item.product_id} of pending transfer {item.transfer_id} left its source")

    completed = {
        str(t.id): t
        for t in Transfer.objects.filter(state=TransferState.COMPLETED).select_related(
            "destination_organization"
        )
    }
    for transfer in completed.values():
        if not (transfer.destination_organization_id and transfer.received_by_id and transfer.completed_at):
            problems.append(f"completed transfer {transfer.id} lacks its destination, recipient or time")

    # Each product sits in the destination of the last completed transfer that moved it.
    last_move: dict[object, Transfer] = {}
    for item in (
        TransferItem.objects.filter(transfer__state=TransferState.COMPLETED)
        .select_related("transfer")
        .order_by("transfer__completed_at")
    ):
        last_move[item.product_id] = item.transfer
    owners = dict(Product.objects.filter(id__in=list(last_move)).values_list("id", "organization_id"))
    for product_id, transfer in last_move.items():
        if owners[product_id] != transfer.destination_organization_id:
            problems.append(f"product {product_id} is not in the destination of transfer {transfer.id}")

    # Both sides' audit entries, the acceptance and the email task: once per completion, never otherwise.
    sides: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for action, organization_id, details in AuditEvent.objects.filter(
        action__in=[AuditAction.TRANSFER_COMPLETED, AuditAction.TRANSFER_RECEIVED]
    ).values_list("action", "organization_id", "details"):
        sides[details.get("transfer_id", "")].append((action, organization_id))
    acceptances = Counter(
        str(ref)
        for ref in Acceptance.objects.filter(step=AcceptanceStep.RECEIVE_TRANSFER).values_list(
            "reference", flat=True
        )
    )
    emails = completed_email_tasks()
    for transfer_id in set(sides) | set(acceptances) | set(emails) | set(completed):
        transfer = completed.get(transfer_id)
        if transfer is None:
            problems.append(f"transfer {transfer_id} is not completed but has a completion's records")
            continue
        expected = sorted(
            [
                (AuditAction.TRANSFER_COMPLETED.value, transfer.source_organization_id),
                (AuditAction.TRANSFER_RECEIVED.value, transfer.destination_organization_id),
            ],
            key=str,
        )
        if sorted(sides.get(transfer_id, []), key=str) != expected:
            problems.append(f"transfer {transfer_id} lacks its audit entries on both sides (or has extra)")
        if acceptances[transfer_id] != 1:
            problems.append(f"transfer {transfer_id} has {acceptances[transfer_id]} receive acceptances")
        if emails[transfer_id] != 1:
            problems.append(f"transfer {transfer_id} queued {emails[transfer_id]} completion emails")

    # Nobody keeps a right on a product of an Organization they are not a member of.
    members = set(Membership.objects.values_list("user_id", "organization_id"))
    for user_id, product_id, organization_id in ProductAccess.objects.filter(user__isnull=False).values_list(
        "user_id", "product_id", "product__organization_id"
    ):
        if (user_id, organization_id) not in members:
            problems.append(
                f"user {user_id} keeps access to product {product_id} outside their Organizations"
            )
    for access in ProductAccess.objects.filter(team__isnull=False).exclude(
        team__organization=F("product__organization")
    ):
        problems.append(f"team {access.team_id} keeps rights on product {access.product_id} of another")
    return problems
