"""The secure-actions table: one item per (client, user, order), the order's current secure action.

A new init replaces the item, and with it the earlier code. The item outlives its code, so a client
can read, after the fact, whether and when the order was verified; TTL removes it after the retention.
"""

from __future__ import annotations

import contextlib
from typing import Any

from assent.model.secure_actions import PENDING, VERIFIED, AttemptNotCounted, SecureAction
from assent.repositories.reads import item_on_failure, plain
from assent.repositories.transactions import Write


def order_key(client_id: str, user_id: str, order_uuid: str) -> str:
    return f"{client_id}#{user_id}#{order_uuid}"


class SecureActionsRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    @property
    def client(self) -> Any:
        """The low-level client, for transactions this repository takes part in."""
        return self._table.meta.client

    def put_item(self, pk: str, action: SecureAction, *, resend_after: int) -> Write:
        """A write making `action` the order's current secure action. It fails when the current
        one was issued less than `resend_after` seconds before it or has been verified (`get` tells which)."""
        cutoff = action.created_ms // 1000 - resend_after
        return Write(
            {
                "Put": {
                    "TableName": self._table.name,
                    "Item": {**_item(action), "pk": pk},
                    "ConditionExpression": (
                        "attribute_not_exists(pk) OR (issued_at <= :cutoff AND #state <> :verified)"
                    ),
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {":cutoff": cutoff, ":verified": VERIFIED},
                }
            }
        )

    def get(self, pk: str) -> SecureAction | None:
        item = self._table.get_item(Key={"pk": pk}, ConsistentRead=True).get("Item")
        return _secure_action(item) if item else None

    def count_attempt(self, pk: str, secure_action_uuid: str, *, now: int, max_attempts: int) -> SecureAction:
        """Count one attempt on a pending, unexpired secure action before any comparison (SECURITY.md 20),
        and return it as counted.

        Raises AttemptNotCounted, with the order's current secure action (or None), when the attempt may not
        be made at all.
        """
        try:
            item = self._table.update_item(
                Key={"pk": pk},
                UpdateExpression="ADD attempts :one",
                ConditionExpression=(
                    "secure_action_uuid = :uuid AND #state = :pending"
                    " AND expires_at > :now AND attempts < :max"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":one": 1,
                    ":uuid": secure_action_uuid,
                    ":pending": PENDING,
                    ":now": now,
                    ":max": max_attempts,
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )["Attributes"]
        except self.client.exceptions.ConditionalCheckFailedException as error:
            old = item_on_failure(error)
            raise AttemptNotCounted(_secure_action(old) if old else None) from error
        return _secure_action(item)

    def lock(self, pk: str, secure_action_uuid: str, *, now: int, max_attempts: int) -> None:
        """Drop the digest of a code whose every attempt is used, marking when it locked: it can never be
        compared again, and the change is what tells the client (`secure_action.locked`). Nothing happens if
        the action was replaced meanwhile."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self._table.update_item(
                Key={"pk": pk},
                UpdateExpression="SET locked_ms = :ms REMOVE code_digest",
                ConditionExpression=(
                    "secure_action_uuid = :uuid AND #state = :pending AND attempts >= :max"
                    " AND attribute_exists(code_digest)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":ms": now * 1000,
                    ":uuid": secure_action_uuid,
                    ":pending": PENDING,
                    ":max": max_attempts,
                },
            )

    def mark_verified_item(
        self, pk: str, secure_action_uuid: str, *, now: int, order_type: str, key_id: str
    ) -> Write:
        """A write verifying the pending secure action once; its code digest is dropped, being of no further
        use. It fails if the action was verified, replaced or expired in the meantime."""
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": pk},
                    "UpdateExpression": (
                        "SET #state = :verified, verified_ms = :ms, order_type = :type, verified_by = :key"
                        " REMOVE code_digest"
                    ),
                    "ConditionExpression": (
                        "secure_action_uuid = :uuid AND #state = :pending AND expires_at > :now"
                    ),
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {
                        ":verified": VERIFIED,
                        ":ms": now * 1000,
                        ":type": order_type,
                        ":key": key_id,
                        ":uuid": secure_action_uuid,
                        ":pending": PENDING,
                        ":now": now,
                    },
                }
            }
        )


def _item(action: SecureAction) -> dict[str, Any]:
    return {
        "secure_action_uuid": action.secure_action_uuid,
        "order_uuid": action.order_uuid,
        "user_id": action.user_id,
        "state": action.state,
        "email": action.email,
        "issued_at": action.created_ms // 1000,
        "expires_at": action.expires_at,
        "ttl": action.retain_until,
        "attempts": action.attempts,
        "code_digest": action.code_digest,
        **({"order_type": action.order_type} if action.order_type is not None else {}),
        **({"reference": action.reference} if action.reference is not None else {}),
    }


def _secure_action(item: dict[str, Any]) -> SecureAction:
    fields = {name: plain(value) for name, value in item.items()}
    return SecureAction(
        secure_action_uuid=fields["secure_action_uuid"],
        order_uuid=fields["order_uuid"],
        user_id=fields["user_id"],
        state=fields["state"],
        email=fields["email"],
        created_ms=fields["issued_at"] * 1000,
        expires_at=fields["expires_at"],
        retain_until=fields["ttl"],
        attempts=fields["attempts"],
        code_digest=fields.get("code_digest"),
        order_type=fields.get("order_type"),
        reference=fields.get("reference"),
        verified_ms=fields.get("verified_ms"),
        verified_by=fields.get("verified_by"),
    )
