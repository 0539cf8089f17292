"""The clients table: one item per API key, keyed by the key's digest."""

from __future__ import annotations

from assent.model.clients import ClientRecord
from assent.repositories.reads import all_items


class ClientsRepository:
    """The clients table: one item per API key, keyed by the key's digest."""

    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    def add(self, record: ClientRecord) -> None:
        item = {
            "key_hash": record.key_hash,
            "client_id": record.client_id,
            "key_id": record.key_id,
            "name": record.name,
            "created_at": record.created_at,
        }
        self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(key_hash)")

    def find(self, key_hash: str) -> ClientRecord | None:
        # Consistent, so that a revocation takes effect on the very next request.
        item = self._table.get_item(Key={"key_hash": key_hash}, ConsistentRead=True).get("Item")
        return _record(item) if item else None

    def all(self) -> list[ClientRecord]:
        return [_record(item) for item in all_items(self._table.scan, ConsistentRead=True)]

    def revoke(self, key_hash: str, revoked_at: str) -> None:
        self._table.update_item(
            Key={"key_hash": key_hash},
            UpdateExpression="SET revoked_at = :at",
            ConditionExpression="attribute_exists(key_hash) AND attribute_not_exists(revoked_at)",
            ExpressionAttributeValues={":at": revoked_at},
        )


def _record(item: dict) -> ClientRecord:
    return ClientRecord(
        key_hash=str(item["key_hash"]),
        client_id=str(item["client_id"]),
        key_id=str(item["key_id"]),
        name=str(item["name"]),
        created_at=str(item["created_at"]),
        revoked_at=str(item["revoked_at"]) if item.get("revoked_at") else None,
    )
