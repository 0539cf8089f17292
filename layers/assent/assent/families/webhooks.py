"""Webhook endpoints, as client back ends manage them with their API key (`/v1/webhooks`): bodies, answers,
and UNLOQ's `{"error": {code, message, status}}` envelope, the family whose `Bearer` key these routes share.

Deliveries follow Standard Webhooks (standardwebhooks.com); their bodies are thin, `{type, timestamp, data}`,
and a client reads the details with the API it already calls.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, Field

from assent.core.clock import iso8601
from assent.core.http import FamilyResolver, build_resolver
from assent.families.unloq import UnloqEnvelope
from assent.model.events import EVENT_TYPES, EventType
from assent.model.webhooks import MAX_URL_CHARS, Delivery, Endpoint

WebhookId = Annotated[str, Path(pattern=r"^ep_[0-9a-f]{24}$", description="A webhook endpoint's id")]
DeliveryId = Annotated[
    str, Path(pattern=r"^msg_[0-9]{13}[0-9a-f]{19}$", description="A delivery's id: its `webhook-id`")
]


class CreateWebhookBody(BaseModel):
    url: str = Field(max_length=MAX_URL_CHARS, description="https only; no private or loopback address")
    events: list[EventType] | None = Field(
        default=None, max_length=len(EVENT_TYPES), description="The events to send; none or empty: every one"
    )


class WebhookView(BaseModel):
    id: str
    url: str
    events: list[str] = Field(description="The events sent to it; empty: every one")
    state: Literal["active", "failing", "disabled"]
    createdAt: str
    failedAt: str | None = Field(description="When a delivery was last dead-lettered, or it answered 410")


class WebhookWithSecret(WebhookView):
    secret: str = Field(description="`whsec_…`: shown this once; it signs every delivery")


class RotatedWebhook(WebhookWithSecret):
    previousSecretExpiresAt: str = Field(description="Until when the secret it replaces also signs")


class WebhookList(BaseModel):
    webhooks: list[WebhookView]


class AttemptView(BaseModel):
    at: str
    durationMs: int
    status: int | None = Field(description="The status the endpoint answered; null if none")
    error: str | None


class DeliveryView(BaseModel):
    id: str = Field(description="Its `webhook-id`, the same on every attempt and replay")
    eventType: str
    eventId: str
    state: Literal["pending", "delivered", "failed"]
    payload: dict = Field(description="The body sent, `{type, timestamp, data}`")
    attempts: list[AttemptView]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryView]


def webhook_view(endpoint: Endpoint) -> WebhookView:
    return WebhookView(**_fields(endpoint))


def with_secret(endpoint: Endpoint, secret: str) -> WebhookWithSecret:
    return WebhookWithSecret(**_fields(endpoint), secret=secret)


def rotated(endpoint: Endpoint, secret: str) -> RotatedWebhook:
    """A rotated endpoint: its new secret, and until when the one it replaced signs too."""
    overlap = max(old.until for old in endpoint.secrets if old.until is not None)
    return RotatedWebhook(**_fields(endpoint), secret=secret, previousSecretExpiresAt=iso8601(overlap * 1000))


def _fields(endpoint: Endpoint) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "state": endpoint.state,
        "createdAt": iso8601(endpoint.created_ms),
        "failedAt": iso8601(endpoint.failed_ms) if endpoint.failed_ms is not None else None,
    }


def delivery_view(delivery: Delivery) -> DeliveryView:
    return DeliveryView(
        id=delivery.id,
        eventType=delivery.event_type,
        eventId=delivery.event_id,
        state=delivery.state,
        payload=json.loads(delivery.body),
        attempts=[
            AttemptView(at=iso8601(a.at_ms), durationMs=a.duration_ms, status=a.status, error=a.error)
            for a in delivery.attempts
        ],
    )


def resolver() -> FamilyResolver:
    return build_resolver(UnloqEnvelope())
