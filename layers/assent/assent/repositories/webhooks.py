"""The webhooks table: a client's endpoints (`client#…`/`endpoint#…`), each endpoint's deliveries
(`endpoint#…`/`delivery#…`, kept 30 days), and marks of the pushes sent for an event (`push#…`)."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from boto3.dynamodb.conditions import Key

from assent.model.webhooks import (
    DELIVERY_RETENTION_SECONDS,
    DISABLED,
    FAILING,
    PENDING,
    Attempt,
    Delivery,
    Endpoint,
    Secret,
)
from assent.repositories.reads import all_items, item_on_failure, plain

# A delivery's log shows at most this many, newest first.
MAX_DELIVERIES_LISTED = 100
# A push mark outlives any retry of the event it marks.
_PUSH_MARK_SECONDS = 2 * 86_400


def _client_pk(client_id: str) -> str:
    return f"client#{client_id}"


def _endpoint_key(client_id: str, endpoint_id: str) -> dict[str, str]:
    return {"pk": _client_pk(client_id), "sk": f"endpoint#{endpoint_id}"}


def _delivery_key(endpoint_id: str, delivery_id: str) -> dict[str, str]:
    return {"pk": f"endpoint#{endpoint_id}", "sk": f"delivery#{delivery_id}"}


class WebhooksRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    @property
    def _errors(self) -> Any:
        return self._table.meta.client.exceptions

    # Endpoints

    def add_endpoint(self, endpoint: Endpoint) -> None:
        self._table.put_item(Item=_endpoint_item(endpoint), ConditionExpression="attribute_not_exists(pk)")

    def endpoints_of(self, client_id: str) -> list[Endpoint]:
        items = all_items(
            self._table.query,
            limit=None,
            KeyConditionExpression=Key("pk").eq(_client_pk(client_id)) & Key("sk").begins_with("endpoint#"),
            ConsistentRead=True,
        )
        return sorted((_endpoint(item) for item in items), key=lambda endpoint: endpoint.created_ms)

    def endpoint(self, client_id: str, endpoint_id: str) -> Endpoint | None:
        item = self._table.get_item(Key=_endpoint_key(client_id, endpoint_id), ConsistentRead=True).get(
            "Item"
        )
        return _endpoint(item) if item else None

    def remove_endpoint(self, client_id: str, endpoint_id: str) -> bool:
        old = self._table.delete_item(Key=_endpoint_key(client_id, endpoint_id), ReturnValues="ALL_OLD")
        return bool(old.get("Attributes"))

    def replace_secrets(self, endpoint: Endpoint, secrets: tuple[Secret, ...]) -> bool:
        """Store an endpoint's new secrets if it still has the ones it was read with; False otherwise (it is
        gone, or another rotation came first)."""
        try:
            self._table.update_item(
                Key=_endpoint_key(endpoint.client_id, endpoint.id),
                UpdateExpression="SET secrets = :new",
                ConditionExpression="secrets = :old",
                ExpressionAttributeValues={":new": _secrets(secrets), ":old": _secrets(endpoint.secrets)},
            )
        except self._errors.ConditionalCheckFailedException:
            return False
        return True

    def mark(self, client_id: str, endpoint_id: str, state: str, *, now: float) -> None:
        """Mark an endpoint failing (a delivery was dead-lettered) or disabled (it answered 410); a disabled
        endpoint stays disabled."""
        if state not in (FAILING, DISABLED):
            raise ValueError(f"an endpoint is marked failing or disabled, not {state}")
        with contextlib.suppress(self._errors.ConditionalCheckFailedException):
            self._table.update_item(
                Key=_endpoint_key(client_id, endpoint_id),
                UpdateExpression="SET #state = :state, failed_ms = :ms",
                ConditionExpression="attribute_exists(pk) AND #state <> :disabled",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":state": state, ":ms": int(now * 1000), ":disabled": DISABLED},
            )

    # Deliveries

    def add_delivery(self, delivery: Delivery, *, now: float) -> Delivery:
        """Store a new delivery; if its id exists (the same event for the same endpoint, read again), the one
        stored, untouched."""
        item = {
            **_delivery_key(delivery.endpoint_id, delivery.id),
            **_delivery_item(delivery),
            "ttl": int(now) + DELIVERY_RETENTION_SECONDS,
        }
        try:
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._errors.ConditionalCheckFailedException as error:
            return _delivery(item_on_failure(error))
        return delivery

    def mark_enqueued(self, delivery: Delivery) -> None:
        self._table.update_item(
            Key=_delivery_key(delivery.endpoint_id, delivery.id),
            UpdateExpression="SET enqueued = :yes",
            ExpressionAttributeValues={":yes": True},
        )

    def delivery(self, endpoint_id: str, delivery_id: str) -> Delivery | None:
        item = self._table.get_item(Key=_delivery_key(endpoint_id, delivery_id), ConsistentRead=True).get(
            "Item"
        )
        return _delivery(item) if item else None

    def deliveries_of(self, endpoint_id: str, *, limit: int) -> list[Delivery]:
        items = all_items(
            self._table.query,
            limit=min(limit, MAX_DELIVERIES_LISTED),
            KeyConditionExpression=Key("pk").eq(f"endpoint#{endpoint_id}")
            & Key("sk").begins_with("delivery#"),
            ScanIndexForward=False,
            Limit=min(limit, MAX_DELIVERIES_LISTED),
        )
        return [_delivery(item) for item in items]

    def claim(self, endpoint_id: str, delivery_id: str, *, now: float, lease_seconds: int) -> Delivery | None:
        """Hold a pending delivery for one attempt, so that two copies of its message never send it at once;
        the delivery as held, or None if there is none, or it is sent, failed or held by another attempt."""
        try:
            item = self._table.update_item(
                Key=_delivery_key(endpoint_id, delivery_id),
                UpdateExpression="SET lease_until = :until",
                ConditionExpression=(
                    "#state = :pending AND (attribute_not_exists(lease_until) OR lease_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":until": int(now) + lease_seconds,
                    ":pending": PENDING,
                    ":now": int(now),
                },
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except self._errors.ConditionalCheckFailedException:
            return None
        return _delivery(item)

    def record_attempt(self, delivery: Delivery, attempt: Attempt, state: str) -> None:
        """Log one attempt, move the delivery to `state` and let go of it."""
        self._table.update_item(
            Key=_delivery_key(delivery.endpoint_id, delivery.id),
            UpdateExpression=(
                "SET #state = :state, attempts = list_append(if_not_exists(attempts, :none), :attempt)"
                " REMOVE lease_until"
            ),
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":state": state, ":attempt": [attempt.as_dict()], ":none": []},
        )

    def reopen(self, delivery: Delivery) -> Delivery:
        """A delivery made pending again, to be sent once more as it was (a replay)."""
        self._table.update_item(
            Key=_delivery_key(delivery.endpoint_id, delivery.id),
            UpdateExpression="SET #state = :pending REMOVE lease_until",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":pending": PENDING},
        )
        return replace(delivery, state=PENDING)

    # Pushes

    def mark_push(self, event_id: str, key_ref: str, *, now: float) -> bool:
        """Mark an event's push to one key as sent; False if it was marked already (the event read again)."""
        try:
            self._table.put_item(
                Item={"pk": f"push#{event_id}", "sk": f"key#{key_ref}", "ttl": int(now) + _PUSH_MARK_SECONDS},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self._errors.ConditionalCheckFailedException:
            return False
        return True

    def unmark_push(self, event_id: str, key_ref: str) -> None:
        self._table.delete_item(Key={"pk": f"push#{event_id}", "sk": f"key#{key_ref}"})


def _secrets(secrets: tuple[Secret, ...]) -> list[dict[str, Any]]:
    return [
        {"ciphertext": secret.ciphertext, **({"until": secret.until} if secret.until is not None else {})}
        for secret in secrets
    ]


def _endpoint_item(endpoint: Endpoint) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_endpoint_key(endpoint.client_id, endpoint.id),
        "endpoint_id": endpoint.id,
        "client_id": endpoint.client_id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "secrets": _secrets(endpoint.secrets),
        "created_ms": endpoint.created_ms,
        "state": endpoint.state,
    }
    if endpoint.failed_ms is not None:
        item["failed_ms"] = endpoint.failed_ms
    return item


def _endpoint(item: dict[str, Any]) -> Endpoint:
    fields = plain(item)
    return Endpoint(
        id=fields["endpoint_id"],
        client_id=fields["client_id"],
        url=fields["url"],
        events=tuple(fields.get("events", [])),
        secrets=tuple(Secret(ciphertext=s["ciphertext"], until=s.get("until")) for s in fields["secrets"]),
        created_ms=fields["created_ms"],
        state=fields["state"],
        failed_ms=fields.get("failed_ms"),
    )


def _delivery_item(delivery: Delivery) -> dict[str, Any]:
    return {
        "delivery_id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "client_id": delivery.client_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "body": delivery.body,
        "state": delivery.state,
        "attempts": [attempt.as_dict() for attempt in delivery.attempts],
        "enqueued": delivery.enqueued,
    }


def _delivery(item: dict[str, Any]) -> Delivery:
    fields = plain(item)
    return Delivery(
        id=fields["delivery_id"],
        endpoint_id=fields["endpoint_id"],
        client_id=fields["client_id"],
        event_id=fields["event_id"],
        event_type=fields["event_type"],
        body=fields["body"],
        state=fields["state"],
        attempts=tuple(Attempt(**attempt) for attempt in fields.get("attempts", [])),
        enqueued=bool(fields.get("enqueued", False)),
    )
