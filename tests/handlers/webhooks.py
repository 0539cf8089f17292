"""A client back end's webhook endpoints through their handlers, for tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import Answer, api_event, invoke
from tests.handlers.unloq import bearer


def create_webhook(api_key: str, url: str, events: list[str] | None = None) -> Answer:
    body: dict[str, Any] = {"url": url} | ({"events": events} if events is not None else {})
    return invoke(
        "CreateWebhookFunction", api_event("webhooks/create_webhook.json", body=body, headers=bearer(api_key))
    )


def registered(api_key: str, url: str, events: list[str] | None = None) -> dict[str, Any]:
    status, _, body = create_webhook(api_key, url, events)
    assert status == 201, body
    return dict(body)


def list_webhooks(api_key: str) -> Answer:
    return invoke("ListWebhooksFunction", api_event("webhooks/list_webhooks.json", headers=bearer(api_key)))


def delete_webhook(api_key: str, endpoint_id: str) -> Answer:
    event = api_event(
        "webhooks/delete_webhook.json", path_parameters={"id": endpoint_id}, headers=bearer(api_key)
    )
    return invoke("DeleteWebhookFunction", event)


def rotate(api_key: str, endpoint_id: str) -> Answer:
    event = api_event(
        "webhooks/rotate_webhook_secret.json", path_parameters={"id": endpoint_id}, headers=bearer(api_key)
    )
    return invoke("RotateWebhookSecretFunction", event)


def deliveries(api_key: str, endpoint_id: str) -> Answer:
    event = api_event(
        "webhooks/list_deliveries.json", path_parameters={"id": endpoint_id}, headers=bearer(api_key)
    )
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    return invoke("ListDeliveriesFunction", event)


def replay(api_key: str, endpoint_id: str, delivery_id: str) -> Answer:
    event = api_event(
        "webhooks/replay_delivery.json",
        path_parameters={"id": endpoint_id, "deliveryId": delivery_id},
        headers=bearer(api_key),
    )
    return invoke("ReplayDeliveryFunction", event)
