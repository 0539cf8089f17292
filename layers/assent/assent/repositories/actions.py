"""The actions table: one item per (client, code); a client's actions are one partition."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from assent.core.errors import ActionExists
from assent.model.actions import Action
from assent.repositories.reads import all_items

# A client defines a handful of actions; a listing longer than this is not a use anyone has.
MAX_ACTIONS_LISTED = 1000


class ActionsRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    def create(self, action: Action) -> None:
        """Store a new action; its code is unique per client because it is the item's key."""
        client = self._table.meta.client
        try:
            self._table.put_item(
                Item=_item(action),
                ConditionExpression="attribute_not_exists(client_id)",
            )
        except client.exceptions.ConditionalCheckFailedException as error:
            raise ActionExists(f"an action with code {action.code} exists") from error

    def get(self, client_id: str, code: str) -> Action | None:
        item = self._table.get_item(Key={"client_id": client_id, "code": code}, ConsistentRead=True).get(
            "Item"
        )
        return _action(item) if item else None

    def list(self, client_id: str) -> list[Action]:
        items = all_items(
            self._table.query, limit=MAX_ACTIONS_LISTED, KeyConditionExpression=Key("client_id").eq(client_id)
        )
        return [_action(item) for item in items]

    def update(
        self, client_id: str, code: str, fields: dict[str, object], *, updated_ms: int
    ) -> Action | None:
        """Set `fields` on an existing action in one conditional write; None if there is no such action."""
        client = self._table.meta.client
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":f{i}": value for i, value in enumerate(fields.values())}
        assignments = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
        try:
            item = self._table.update_item(
                Key={"client_id": client_id, "code": code},
                UpdateExpression=f"SET {assignments}, updated_ms = :updated",
                ConditionExpression="attribute_exists(client_id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values, ":updated": updated_ms},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except client.exceptions.ConditionalCheckFailedException:
            return None
        return _action(item)

    def delete(self, client_id: str, code: str) -> Action | None:
        """Delete an action; the deleted action, or None if there was none."""
        item = self._table.delete_item(
            Key={"client_id": client_id, "code": code}, ReturnValues="ALL_OLD"
        ).get("Attributes")
        return _action(item) if item else None


def _item(action: Action) -> dict[str, Any]:
    return {
        "client_id": action.client_id,
        "code": action.code,
        "id": action.id,
        "title": action.title,
        "message": action.message,
        "approve": action.approve,
        "deny": action.deny,
        "is_active": action.is_active,
        "number_matching": action.number_matching,
        "created_ms": action.created_ms,
        "updated_ms": action.updated_ms,
    }


def _action(item: dict[str, Any]) -> Action:
    return Action(
        client_id=str(item["client_id"]),
        code=str(item["code"]),
        id=str(item["id"]),
        title=str(item["title"]),
        message=str(item["message"]),
        approve=str(item["approve"]),
        deny=str(item["deny"]),
        is_active=bool(item["is_active"]),
        number_matching=bool(item.get("number_matching", False)),
        created_ms=int(item["created_ms"]),
        updated_ms=int(item["updated_ms"]),
    )
