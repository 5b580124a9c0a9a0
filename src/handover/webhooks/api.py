"""The webhook endpoints of /api/v1/: register, list, delete, rotate a secret, list deliveries."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictStr

from handover.accounts.reauthentication import reauthenticated
from handover.organizations.access import Permission
from handover.organizations.http import AuthedRequest, api_member
from handover.schemas import Input, Pagination, errors
from handover.webhooks import selectors, services
from handover.webhooks.models import AttemptOutcome, DeliveryState, EventType, WebhookEndpoint
from handover.webhooks.network import MAX_URL_LENGTH

router = Router()

WEBHOOKS = "/organizations/{org_id}/webhooks"
ONE_WEBHOOK = WEBHOOKS + "/{webhook_id}"
FOR_ADMINS = "For administrators and legal representatives; collaborators get 403."
# A secret is handed out: with a session (not a token), a recent password confirmation is needed.
HANDS_OUT_A_SECRET = FOR_ADMINS + " With a session (not a token), a recent password confirmation is needed."


class WebhookIn(Input):
    url: StrictStr = Field(
        ...,
        max_length=MAX_URL_LENGTH,
        description="An `https://` URL whose host resolves to public addresses only.",
    )
    events: list[EventType] = Field(
        ..., min_length=1, max_length=len(EventType), description="The event types to send to it."
    )


class WebhookOut(Schema):
    id: UUID
    url: str
    events: list[EventType]
    created_at: datetime
    secret_rotated_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        ..., description="Until when the previous secret also signs, after a rotation."
    )


class WebhookWithSecret(WebhookOut):
    secret: str = Field(
        ...,
        description="Signs every delivery (HMAC-SHA256); shown in this answer only, never again.",
    )

    @staticmethod
    def resolve_secret(obj: WebhookEndpoint) -> str:
        return obj.secret


class AttemptOut(Schema):
    number: int
    started_at: datetime
    outcome: AttemptOutcome
    status_code: int | None = Field(..., description="The receiver's HTTP status, when it answered.")
    error: str = Field(..., description="Why there was no answer (empty when there was one).")
    duration_ms: int | None


class DeliveryOut(Schema):
    id: UUID
    event_id: UUID
    event_type: EventType
    state: DeliveryState
    attempt_count: int
    next_attempt_at: datetime | None = Field(..., description="When the next attempt is due, if pending.")
    created_at: datetime
    finished_at: datetime | None
    attempts: list[AttemptOut]

    @staticmethod
    def resolve_event_type(obj: Any) -> str:
        return str(obj.event.type)

    @staticmethod
    def resolve_attempts(obj: Any) -> list[Any]:
        return list(obj.attempts.all())


@router.post(
    WEBHOOKS,
    response={201: WebhookWithSecret, **errors(400, 401, 403, 404, 409, 422)},
    summary="Register a webhook endpoint; the answer holds its secret, shown this once",
    description=HANDS_OUT_A_SECRET
    + " The URL must be https:// and resolve to public addresses only (422 `webhook_url_refused`).",
)
@reauthenticated
def register_webhook(request: AuthedRequest, org_id: UUID, payload: WebhookIn) -> Status:
    organization = api_member(request, org_id, Permission.MANAGE_WEBHOOKS).organization
    endpoint = services.register_webhook(
        actor=request.auth, organization=organization, url=payload.url, events=payload.events
    )
    return Status(201, endpoint)


@router.get(
    WEBHOOKS,
    response={200: list[WebhookOut], **errors(400, 401, 403, 404)},
    summary="The Organization's webhook endpoints (without their secrets)",
    description=FOR_ADMINS,
)
@paginate(Pagination)
def list_webhooks(request: AuthedRequest, org_id: UUID) -> Any:
    organization = api_member(request, org_id, Permission.MANAGE_WEBHOOKS).organization
    return selectors.webhooks_for_organization(organization=organization)


@router.delete(
    ONE_WEBHOOK,
    response={204: None, **errors(401, 403, 404)},
    summary="Delete a webhook endpoint; nothing more is sent to it",
    description=FOR_ADMINS,
)
def delete_webhook(request: AuthedRequest, org_id: UUID, webhook_id: UUID) -> Status:
    organization = api_member(request, org_id, Permission.MANAGE_WEBHOOKS).organization
    endpoint = selectors.webhook_get(organization=organization, webhook_id=webhook_id)
    services.delete_webhook(actor=request.auth, endpoint=endpoint)
    return Status(204, None)


@router.post(
    ONE_WEBHOOK + "/rotate-secret",
    response={200: WebhookWithSecret, **errors(401, 403, 404)},
    summary="Give a webhook endpoint a new secret; the previous one also signs for 24 hours",
    description=HANDS_OUT_A_SECRET,
)
@reauthenticated
def rotate_webhook_secret(request: AuthedRequest, org_id: UUID, webhook_id: UUID) -> Any:
    organization = api_member(request, org_id, Permission.MANAGE_WEBHOOKS).organization
    endpoint = selectors.webhook_get(organization=organization, webhook_id=webhook_id)
    return services.rotate_webhook_secret(actor=request.auth, endpoint=endpoint)


@router.get(
    ONE_WEBHOOK + "/deliveries",
    response={200: list[DeliveryOut], **errors(400, 401, 403, 404)},
    summary="The endpoint's deliveries, newest first, each with every attempt",
    description=FOR_ADMINS,
)
@paginate(Pagination)
def list_webhook_deliveries(request: AuthedRequest, org_id: UUID, webhook_id: UUID) -> Any:
    organization = api_member(request, org_id, Permission.MANAGE_WEBHOOKS).organization
    endpoint = selectors.webhook_get(organization=organization, webhook_id=webhook_id)
    return selectors.deliveries_for_webhook(endpoint=endpoint)
