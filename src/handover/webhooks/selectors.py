"""Every read of webhooks: an Organization's endpoints, one endpoint, its deliveries, and the figures."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet

from handover.organizations.models import Organization
from handover.webhooks.errors import WebhookNotFound
from handover.webhooks.models import (
    AttemptOutcome,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


def webhooks_for_organization(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    """The Organization's endpoints, oldest first, each with its `pending_count` and `failed_count`
    of deliveries (one query)."""
    return (
        WebhookEndpoint.objects.filter(organization=organization)
        .annotate(
            pending_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        )
        .order_by("created_at", "id")
    )


def webhook_get(*, organization: Organization, webhook_id: UUID | str | Any) -> WebhookEndpoint:
    """One endpoint of the Organization (with it joined); WebhookNotFound for another's or none."""
    try:
        endpoint = WebhookEndpoint.objects.get(organization=organization, pk=webhook_id)
    except (WebhookEndpoint.DoesNotExist, ValueError, ValidationError) as exc:
        raise WebhookNotFound() from exc
    endpoint.organization = organization
    return endpoint


def deliveries_for_webhook(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, with their event and every attempt in order (two
    queries for a page, however many attempts)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempts", WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "id")
    )


@dataclass(frozen=True)
class DeliveryFigures:
    deliveries: dict[str, int]  # by state: pending, delivered, failed
    attempts: dict[str, int]  # by outcome: delivered, rejected, timeout, error, refused, interrupted


def delivery_figures() -> DeliveryFigures:
    """Deliveries by state and attempts by outcome, over every Organization (two queries)."""
    deliveries = dict.fromkeys(DeliveryState.values, 0)
    for state, count in WebhookDelivery.objects.order_by().values_list("state").annotate(n=Count("id")):
        deliveries[state] = count
    attempts = dict.fromkeys(AttemptOutcome.values, 0)
    for outcome, count in WebhookAttempt.objects.order_by().values_list("outcome").annotate(n=Count("id")):
        attempts[outcome] = count
    return DeliveryFigures(deliveries=deliveries, attempts=attempts)
