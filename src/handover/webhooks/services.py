"""Webhooks (SPEC §6.3): the endpoints an Organization registers, the outbox its transfers write, and
the signed deliveries the task workers make of it.

An event and its deliveries are rows written in the transaction of the transfer's change, with the
task that sends each delivery: the change, its events and their sending commit or roll back together.
A delivery is sent at least once: a worker claims it for CLAIM (longer than an attempt can last), and
a claim that lapses (the worker died) leaves it to the sweep. It is retried with exponential backoff
(RETRY_DELAYS) until RETRY_FOR after the event, then marked failed; every attempt is a row.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from handover.accounts.models import User
from handover.audit.models import AuditAction
from handover.audit.services import record_event
from handover.errors import InvalidFields
from handover.organizations import access
from handover.organizations.access import Permission
from handover.organizations.models import Organization
from handover.transfers.models import Transfer
from handover.webhooks import network, signing, tasks
from handover.webhooks.errors import TooManyWebhooks, WebhookUrlRefused
from handover.webhooks.models import (
    AttemptOutcome,
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger("handover.webhooks")

MAX_ENDPOINTS = 20  # per Organization
SECRET_GRACE = timedelta(hours=24)  # the previous secret signs beside the new one this long
RETRY_FOR = timedelta(hours=24)  # after the event, then the delivery is failed
# The wait after the 1st, 2nd, … failed attempt: 30 s doubling up to 6 h (the last wait repeats).
RETRY_DELAYS = [timedelta(seconds=30 * 2**n) for n in range(10)] + [timedelta(hours=6)]
CLAIM = timedelta(seconds=network.TIMEOUT + 50)  # an attempt lasts at most TIMEOUT
USER_AGENT = "Handover-Webhooks/1"


# Endpoints ---------------------------------------------------------------------------------------


def _clean_events(events: Iterable[str]) -> list[str]:
    """The event types, each once, in the catalogue's order; InvalidFields for none or an unknown one."""
    chosen = set(events)
    unknown = sorted(chosen - set(EventType.values))
    if unknown:
        raise InvalidFields(
            fields={"events": _("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)}}
        )
    if not chosen:
        raise InvalidFields(fields={"events": _("Choose at least one event type.")})
    return [value for value in EventType.values if value in chosen]


def _check_url(url: str) -> None:
    """WebhookUrlRefused unless `url` may receive webhooks now (see network.resolve)."""
    try:
        network.resolve(url)
    except network.AddressRefused as exc:
        raise WebhookUrlRefused(fields={"url": str(exc)}) from exc


def register_webhook(
    *, actor: User | None, organization: Organization, url: str, events: Sequence[str]
) -> WebhookEndpoint:
    """Register an endpoint of `organization` for `events`, with a new secret (in `.secret`, to be
    shown this once). Needs MANAGE_WEBHOOKS; the URL is checked and resolved now (WebhookUrlRefused);
    at most MAX_ENDPOINTS per Organization (TooManyWebhooks)."""
    access.authorize(actor, organization, Permission.MANAGE_WEBHOOKS)
    url = url.strip()
    chosen = _clean_events(events)
    _check_url(url)
    with transaction.atomic():
        # The Organization's row serialises registrations, so two at once cannot pass the limit.
        Organization.objects.select_for_update(no_key=True).only("id").get(pk=organization.pk)
        if WebhookEndpoint.objects.filter(organization=organization).count() >= MAX_ENDPOINTS:
            raise TooManyWebhooks(limit=MAX_ENDPOINTS)
        endpoint = WebhookEndpoint.objects.create(
            organization=organization, url=url, events=chosen, secret=signing.new_secret(), created_by=actor
        )
        record_event(
            actor=actor,
            organization=organization,
            action=AuditAction.WEBHOOK_REGISTERED,
            target=endpoint,
            details={"webhook_id": str(endpoint.id), "url": url, "events": chosen},
        )
    return endpoint


@transaction.atomic
def rotate_webhook_secret(*, actor: User | None, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Give the endpoint a new secret (in `.secret`, to be shown this once); the current one keeps
    signing beside it for SECRET_GRACE, so the receiver can switch without losing a delivery. A second
    rotation within the grace period ends the first one's grace."""
    access.authorize(actor, endpoint.organization, Permission.MANAGE_WEBHOOKS)
    endpoint = WebhookEndpoint.objects.select_for_update().select_related("organization").get(pk=endpoint.pk)
    now = timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + SECRET_GRACE
    endpoint.secret = signing.new_secret()
    endpoint.secret_rotated_at = now
    endpoint.save(
        update_fields=["previous_secret", "previous_secret_expires_at", "secret", "secret_rotated_at"]
    )
    record_event(
        actor=actor,
        organization=endpoint.organization,
        action=AuditAction.WEBHOOK_SECRET_ROTATED,
        target=endpoint,
        details={
            "webhook_id": str(endpoint.id),
            "url": endpoint.url,
            "previous_secret_valid_until": endpoint.previous_secret_expires_at.isoformat(),
        },
    )
    return endpoint


@transaction.atomic
def delete_webhook(*, actor: User | None, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint with its deliveries: nothing more is sent to it, even a retry under way."""
    access.authorize(actor, endpoint.organization, Permission.MANAGE_WEBHOOKS)
    record_event(
        actor=actor,
        organization=endpoint.organization,
        action=AuditAction.WEBHOOK_DELETED,
        target=endpoint,
        details={"webhook_id": str(endpoint.id), "url": endpoint.url, "events": endpoint.events},
    )
    endpoint.delete()


def remove_webhooks_registered_by(*, user: User, organization: Organization, reason: str) -> int:
    """The endpoints `user` registered in `organization` go when they lose the right to manage its
    webhooks (SPEC §6.2): the address they chose stops hearing its transfers, deliveries under way
    included. Each removal is in the audit log with the reason. At most MAX_ENDPOINTS rows."""
    endpoints = list(WebhookEndpoint.objects.filter(organization=organization, created_by=user))
    for endpoint in endpoints:
        record_event(
            actor=None,
            organization=organization,
            action=AuditAction.WEBHOOK_DELETED,
            target=endpoint,
            details={
                "webhook_id": str(endpoint.id),
                "url": endpoint.url,
                "events": endpoint.events,
                "reason": reason,
            },
        )
    WebhookEndpoint.objects.filter(id__in=[endpoint.id for endpoint in endpoints]).delete()
    return len(endpoints)


def live_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one in its grace."""
    previous = endpoint.previous_secret
    expires = endpoint.previous_secret_expires_at
    if previous and expires is not None and expires > now:
        return [endpoint.secret, previous]
    return [endpoint.secret]


# The outbox ----------------------------------------------------------------------------------------


def _organization_ref(organization: Organization | None) -> dict[str, str] | None:
    return None if organization is None else {"id": str(organization.id), "name": organization.name}


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def transfer_payload(transfer: Transfer) -> dict[str, Any]:
    """What an event says of a transfer (its products are listed by the API, however many)."""
    return {
        "id": str(transfer.id),
        "state": transfer.state,
        "source_organization": _organization_ref(transfer.source_organization),
        "destination_organization": _organization_ref(transfer.destination_organization),
        "product_count": transfer.product_count,
        "created_at": _moment(transfer.created_at),
        "expires_at": _moment(transfer.expires_at),
        "completed_at": _moment(transfer.completed_at),
        "ended_at": _moment(transfer.ended_at),
    }


def _listening(endpoints: QuerySet[WebhookEndpoint]) -> QuerySet[WebhookEndpoint]:
    """The endpoints whose registrant may still manage their Organization's webhooks, read now: an
    endpoint dies with that right (SPEC §6.2) even when it is lost behind the services (deactivated
    or demoted in the database, no signal sent). An operator's endpoint (no registrant) listens."""
    registrant_role = access.role_in(OuterRef("organization"), OuterRef("created_by"))
    return endpoints.annotate(registrant_role=registrant_role).filter(
        Q(created_by__isnull=True) | Q(registrant_role__in=access.roles_with(Permission.MANAGE_WEBHOOKS))
    )


def record_transfer_change(*, transfer: Transfer, change: str) -> list[WebhookDelivery]:
    """Write, in the caller's transaction, the event `transfer.<change>` for each of the transfer's
    Organizations with an endpoint subscribed to it, one delivery per such endpoint, and the task that
    sends each. One query when no endpoint listens; three plus one per delivery otherwise."""
    event_type = EventType(f"transfer.{change}")
    organization_ids = [transfer.source_organization_id]
    if transfer.destination_organization_id is not None:
        organization_ids.append(transfer.destination_organization_id)
    endpoints = [
        endpoint
        for endpoint in _listening(WebhookEndpoint.objects.filter(organization_id__in=organization_ids)).only(
            "id", "organization_id", "events"
        )
        if event_type in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    data = {"transfer": transfer_payload(transfer)}
    events: dict[UUID, WebhookEvent] = {}
    for organization_id in sorted({endpoint.organization_id for endpoint in endpoints}, key=str):
        event = WebhookEvent(
            organization_id=organization_id, type=event_type, transfer_id=transfer.id, created_at=now
        )
        event.body = json.dumps(
            {
                "id": str(event.id),
                "type": event_type.value,
                "created_at": _moment(now),
                "organization_id": str(organization_id),
                "data": data,
            },
            separators=(",", ":"),
        )
        events[organization_id] = event
    WebhookEvent.objects.bulk_create(events.values())
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                event=events[endpoint.organization_id], endpoint=endpoint, next_attempt_at=now, created_at=now
            )
            for endpoint in endpoints
        ]
    )
    for delivery in deliveries:
        tasks.deliver_webhook.enqueue(delivery_id=str(delivery.id))
    return deliveries


# Sending -----------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _claim(delivery_id: UUID | str, now: datetime) -> WebhookAttempt | None:
    """Take the delivery for one attempt if it is pending, due and not claimed by a live worker; its
    new attempt row, or None. An attempt left in progress by a dead worker is marked interrupted."""
    with transaction.atomic():
        claimed = WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=delivery_id,
            state=DeliveryState.PENDING,
            next_attempt_at__lte=now,
        ).update(claimed_until=now + CLAIM)
        if not claimed:
            return None
        delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
        WebhookAttempt.objects.filter(delivery=delivery, outcome=AttemptOutcome.IN_PROGRESS).update(
            outcome=AttemptOutcome.INTERRUPTED, error="The worker stopped during the attempt."
        )
        delivery.attempt_count += 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_count=delivery.attempt_count)
        return WebhookAttempt.objects.create(delivery=delivery, number=delivery.attempt_count, started_at=now)


def deliver(*, delivery_id: UUID | str) -> str | None:
    """Make one attempt at the delivery if it is due and no one else is making one; its outcome, or
    None when there was nothing to do (delivered, given up, not yet due, deleted or claimed)."""
    now = timezone.now()
    attempt = _claim(delivery_id, now)
    if attempt is None:
        return None
    delivery = attempt.delivery
    event = delivery.event
    body = event.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Handover-Event-Id": str(event.id),
        "Handover-Signature": signing.signature_header(
            live_secrets(delivery.endpoint, now), int(now.timestamp()), body
        ),
    }
    status: int | None = None
    error = ""
    try:
        answer = network.post(delivery.endpoint.url, body, headers)
    except network.AddressRefused as exc:
        outcome, error = AttemptOutcome.REFUSED, str(exc)
    except network.DeliveryFailed as exc:
        outcome = AttemptOutcome.TIMEOUT if exc.timeout else AttemptOutcome.ERROR
        error = str(exc)
    else:
        status = answer.status
        outcome = AttemptOutcome.DELIVERED if 200 <= status < 300 else AttemptOutcome.REJECTED
    _record_attempt(attempt, outcome=outcome, status=status, error=error)
    return outcome


def _record_attempt(attempt: WebhookAttempt, *, outcome: str, status: int | None, error: str) -> None:
    """Close the attempt and move its delivery on: delivered, retried later, or failed for good."""
    delivery = attempt.delivery
    now = timezone.now()
    duration = int((now - attempt.started_at).total_seconds() * 1000)
    with transaction.atomic():
        WebhookAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.IN_PROGRESS).update(
            outcome=outcome, status_code=status, error=error[:500], duration_ms=max(duration, 0)
        )
        update: dict[str, Any] = {"claimed_until": None}
        retry_at = None
        if outcome == AttemptOutcome.DELIVERED:
            update.update(state=DeliveryState.DELIVERED, finished_at=now, next_attempt_at=None)
        else:
            give_up_at = delivery.event.created_at + RETRY_FOR
            if now >= give_up_at:
                update.update(state=DeliveryState.FAILED, finished_at=now, next_attempt_at=None)
            else:
                retry_at = min(now + retry_delay(attempt.number), give_up_at)
                update.update(next_attempt_at=retry_at)
        # Only while this worker's claim holds: a delivery it lost (claim lapsed, taken by another)
        # is left to the one that holds it now.
        moved = WebhookDelivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.PENDING, attempt_count=attempt.number
        ).update(**update)
        if moved and retry_at is not None:
            tasks.deliver_webhook.using(run_after=retry_at).enqueue(delivery_id=str(delivery.pk))
    logger.info(
        "Webhook delivery %s attempt %s: %s%s",
        delivery.pk,
        attempt.number,
        outcome,
        f" ({status})" if status else "",
    )


def retry_due_deliveries(*, overdue: timedelta = timedelta(minutes=1), limit: int = 1000) -> int:
    """Enqueue the sending of pending deliveries due for more than `overdue` and claimed by no live
    worker (their task was lost with a worker, or waits behind a long queue); returns how many.

    Sending twice is harmless: the claim lets one attempt through at a time.
    """
    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            state=DeliveryState.PENDING,
            next_attempt_at__lte=now - overdue,
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    for delivery_id in due:
        tasks.deliver_webhook.enqueue(delivery_id=str(delivery_id))
    return len(due)


def forget_old_events(*, limit: int = 100) -> int:
    """Delete up to `limit` events written more than HANDOVER_WEBHOOK_RETENTION_DAYS ago, with their
    deliveries and attempts, unless a delivery is still being retried; returns how many. The sweep
    calls it every interval: a bounded batch (statements bounded by the batch, not by what the tables
    hold) keeps each call short; 100 a minute is 144,000 a day."""
    written_before = timezone.now() - timedelta(days=settings.HANDOVER_WEBHOOK_RETENTION_DAYS)
    old = WebhookEvent.objects.filter(created_at__lt=written_before).exclude(
        deliveries__state=DeliveryState.PENDING
    )
    ids = list(old.order_by().values_list("id", flat=True)[:limit])
    _total, deleted = WebhookEvent.objects.filter(id__in=ids).delete()
    return deleted.get(WebhookEvent._meta.label, 0)
