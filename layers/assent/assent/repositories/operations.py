"""The operations table: one item per (client, operationId), pending ones indexed by user."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from assent.model.operations import Operation, OperationState, Purpose
from assent.repositories.reads import all_items, item_on_failure
from assent.repositories.transactions import Write

PENDING_INDEX = "pending-by-user-expiry"
# A pending list is shown on a device; more than this many waiting approvals is abuse, not use.
MAX_PENDING_LISTED = 100
# With one client's operations asked for, others' are read past; a user's live operations are few (their
# request limits), so a few pages of 100 hold them all.
MAX_PENDING_PAGES = 5


def _pk(client_id: str, operation_id: str) -> str:
    return f"{client_id}#{operation_id}"


class OperationsRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    @property
    def client(self) -> Any:
        """The low-level client, for transactions this repository takes part in."""
        return self._table.meta.client

    def create_item(self, operation: Operation, *, now: float | None = None) -> Write:
        """A write storing a new pending operation. With `now`, an id whose item has outlived its
        retention (TTL deletes lazily) may be used again; a live one fails the transaction."""
        put: dict[str, Any] = {
            "TableName": self._table.name,
            "Item": _item(operation),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if now is not None:
            put["ConditionExpression"] = "attribute_not_exists(pk) OR #ttl <= :now"
            put["ExpressionAttributeNames"] = {"#ttl": "ttl"}
            put["ExpressionAttributeValues"] = {":now": int(now)}
        return Write({"Put": put})

    def decide_item(
        self,
        operation: Operation,
        state: OperationState,
        *,
        key: str,
        auth_type: str,
        now: float,
        reason: str | None = None,
    ) -> Write:
        """A write moving a pending, unexpired operation of its user to `state`, recording who
        decided, with what key and how. Only this conditional update leaves `pending` (SECURITY.md 14)."""
        reason_values = {":reason": reason} if reason is not None else {}
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _pk(operation.client_id, operation.operation_id)},
                    "UpdateExpression": (
                        "SET #state = :state, decided_ms = :ms, decided_by = :key, auth_type = :how"
                        + (", reason = :reason" if reason is not None else "")
                        + " REMOVE pending_user"
                    ),
                    "ConditionExpression": "#state = :pending AND expires_at > :now AND user_id = :user",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {
                        ":state": state.value,
                        ":ms": int(now * 1000),
                        ":key": key,
                        ":how": auth_type,
                        ":pending": OperationState.PENDING.value,
                        ":now": int(now),
                        ":user": operation.user_id,
                        **reason_values,
                    },
                }
            }
        )

    def cancel(
        self, client_id: str, operation_id: str, *, purpose: Purpose, now: float
    ) -> tuple[Operation, bool] | None:
        """Cancel one of this client's operations of `purpose` if it is pending and unexpired, in one
        conditional update (SECURITY.md 14): the operation after it and True, or as it stood and False when
        it was not pending; None if there is none (or only one past its retention)."""
        try:
            item = self._table.update_item(
                Key={"pk": _pk(client_id, operation_id)},
                UpdateExpression="SET #state = :cancelled, decided_ms = :ms REMOVE pending_user",
                ConditionExpression="#state = :pending AND expires_at > :now AND purpose = :purpose",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":cancelled": OperationState.CANCELLED.value,
                    ":pending": OperationState.PENDING.value,
                    ":ms": int(now * 1000),
                    ":now": int(now),
                    ":purpose": purpose.value,
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )["Attributes"]
        except self.client.exceptions.ConditionalCheckFailedException as error:
            old = item_on_failure(error)
            if not old or int(old["ttl"]) <= now or old["purpose"] != purpose.value:
                return None
            return _operation(old), False
        return _operation(item), True

    def expire(self, client_id: str, operation_id: str, *, now: float) -> int | None:
        """Store `expired` on an operation past its deadline that is still pending: reads showed it expired
        already (`state_at`); stored, it is a change the table's stream reports. None if it is expired now,
        or was decided (or is gone); its deadline if that is still to come."""
        try:
            self._table.update_item(
                Key={"pk": _pk(client_id, operation_id)},
                UpdateExpression="SET #state = :expired REMOVE pending_user",
                ConditionExpression="#state = :pending AND expires_at <= :now",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":expired": OperationState.EXPIRED.value,
                    ":pending": OperationState.PENDING.value,
                    ":now": int(now),
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self.client.exceptions.ConditionalCheckFailedException as error:
            old = item_on_failure(error)
            if old.get("state") == OperationState.PENDING.value and int(old["expires_at"]) > now:
                return int(old["expires_at"])
        return None

    def get(self, client_id: str, operation_id: str, *, now: float) -> Operation | None:
        item = self._table.get_item(Key={"pk": _pk(client_id, operation_id)}, ConsistentRead=True).get("Item")
        if item is None or int(item["ttl"]) <= now:
            return None
        return _operation(item)

    def pending_for_user(self, user_id: str, *, client_id: str | None, now: float) -> list[Operation]:
        """Pending, unexpired operations for one user, soonest to expire first: one client's, or with None,
        all; at most MAX_PENDING_LISTED, read in at most MAX_PENDING_PAGES pages.

        The key condition starts at the present, so expired items still waiting for TTL deletion are never
        read (SECURITY.md 38); only another client's live ones are read past, when one client's are asked for.
        """
        query: dict[str, Any] = {
            "IndexName": PENDING_INDEX,
            "KeyConditionExpression": Key("pending_user").eq(user_id) & Key("expires_at").gt(int(now)),
            "ScanIndexForward": True,
            "Limit": MAX_PENDING_LISTED,
        }
        if client_id is not None:
            query["FilterExpression"] = Attr("client_id").eq(client_id)
        items = all_items(self._table.query, limit=MAX_PENDING_LISTED, max_pages=MAX_PENDING_PAGES, **query)
        return [_operation(item) for item in items]


def _item(operation: Operation) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": _pk(operation.client_id, operation.operation_id),
        "client_id": operation.client_id,
        "client_name": operation.client_name,
        "operation_id": operation.operation_id,
        "id": operation.id,
        "user_id": operation.user_id,
        "key_id": operation.key_id,
        "node_id": operation.node_id,
        "state": operation.state.value,
        "created_ms": operation.created_ms,
        "expires_at": operation.expires_at,
        "ttl": operation.retain_until,
        "purpose": operation.purpose.value,
    }
    if operation.state is OperationState.PENDING:
        item["pending_user"] = operation.user_id
    optional = {
        "payload": operation.payload,
        "external_user_id": operation.external_user_id,
        "auth_type": operation.auth_type,
        "decided_ms": operation.decided_ms,
        "decided_by": operation.decided_by,
        "number": operation.number,
        "reason": operation.reason,
    }
    item.update({name: value for name, value in optional.items() if value is not None})
    return item


def _operation(item: dict[str, Any]) -> Operation:
    return Operation(
        client_id=str(item["client_id"]),
        # An item stored before names were kept shows its client's id, which the client cannot choose.
        client_name=str(item.get("client_name", item["client_id"])),
        operation_id=str(item["operation_id"]),
        id=int(item["id"]),
        user_id=str(item["user_id"]),
        key_id=str(item["key_id"]),
        node_id=str(item["node_id"]),
        created_ms=int(item["created_ms"]),
        expires_at=int(item["expires_at"]),
        retain_until=int(item["ttl"]),
        state=OperationState(item["state"]),
        payload=item.get("payload"),
        external_user_id=item.get("external_user_id"),
        auth_type=item.get("auth_type"),
        purpose=Purpose(item["purpose"]),
        decided_ms=int(item["decided_ms"]) if item.get("decided_ms") is not None else None,
        decided_by=item.get("decided_by"),
        number=item.get("number"),
        reason=item.get("reason"),
    )
