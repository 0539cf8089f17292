"""Single-use proofs with a deadline (challenges, step tokens, e-mailed codes): stored, then consumed once.

Every read checks `expires_at` itself: TTL deletes lazily, days late, and moto never does (SECURITY.md 4).
"""

from __future__ import annotations

from typing import Any

from assent.core.errors import ResendTooSoon
from assent.model.proofs import Proof
from assent.repositories.reads import item_on_failure, plain
from assent.repositories.transactions import Write

# How long an expired proof stays before TTL removes it; nothing reads it past `expires_at`.
_TTL_GRACE_SECONDS = 86_400


class ProofsRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    @property
    def name(self) -> str:
        return str(self._table.name)

    @property
    def client(self) -> Any:
        """The low-level client, for transactions this repository takes part in."""
        return self._table.meta.client

    def put(
        self,
        pk: str,
        attributes: dict[str, Any],
        *,
        expires_at: int,
        now: int,
        resend_after: int | None = None,
    ) -> None:
        """Store a proof, replacing any earlier one for `pk`; with `resend_after`, not within that many
        seconds of the last (raises ResendTooSoon)."""
        client = self._table.meta.client
        try:
            # The resource's client takes plain Python values, as the transaction items do.
            client.put_item(
                **self.put_item(
                    pk, attributes, expires_at=expires_at, now=now, resend_after=resend_after
                ).request["Put"]
            )
        except client.exceptions.ConditionalCheckFailedException as error:
            raise ResendTooSoon(f"a code was sent less than {resend_after} seconds ago") from error

    def put_item(
        self,
        pk: str,
        attributes: dict[str, Any],
        *,
        expires_at: int,
        now: int,
        resend_after: int | None = None,
    ) -> Write:
        """`put` as one write of a transaction; with `resend_after`, it fails within that many seconds of
        the last."""
        put: dict[str, Any] = {
            "TableName": self.name,
            "Item": {
                **attributes,
                "pk": pk,
                "issued_at": now,
                "expires_at": expires_at,
                "ttl": expires_at + _TTL_GRACE_SECONDS,
            },
        }
        if resend_after is not None:
            put["ConditionExpression"] = "attribute_not_exists(pk) OR issued_at <= :cutoff"
            put["ExpressionAttributeValues"] = {":cutoff": now - resend_after}
        return Write({"Put": put})

    def once_per_item(self, pk: str, seconds: int, *, now: int) -> Write:
        """A write that holds at most once per `seconds` for `pk` (a per-account throttle): it fails while
        the one before is younger than that."""
        return self.put_item(pk, {}, expires_at=now + seconds, now=now, resend_after=seconds)

    def get(self, pk: str, *, now: int) -> Proof | None:
        """A live proof without consuming it, or None."""
        item: dict[str, Any] | None = self._table.get_item(Key={"pk": pk}, ConsistentRead=True).get("Item")
        return _proof(item) if item is not None and int(item["expires_at"]) > now else None

    def consume(self, pk: str, *, now: int) -> Proof | None:
        """Delete a live proof and return it; None if it is absent, used or expired (SECURITY.md 3)."""
        client = self._table.meta.client
        try:
            old = self._table.delete_item(
                Key={"pk": pk},
                ConditionExpression="attribute_exists(pk) AND expires_at > :now",
                ExpressionAttributeValues={":now": now},
                ReturnValues="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return None
        return _proof(old["Attributes"])

    def consume_item(self, pk: str, *, now: int, **expected: Any) -> Write:
        """`consume` as one write of a transaction, also requiring the given attribute values."""
        condition = "attribute_exists(pk) AND expires_at > :now"
        values: dict[str, Any] = {":now": now}
        for index, (name, value) in enumerate(expected.items()):
            condition += f" AND {name} = :v{index}"
            values[f":v{index}"] = value
        return Write(
            {
                "Delete": {
                    "TableName": self.name,
                    "Key": {"pk": pk},
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": values,
                }
            }
        )

    def count_attempt(
        self, pk: str, *, now: int, max_attempts: int, used_up: Exception, unusable: Exception
    ) -> Proof:
        """Count one attempt before anything is compared (SECURITY.md 20), and return the proof as counted.

        Raises `used_up` when the proof is live but every attempt it allows has been made, and `unusable`
        when it is absent or expired.
        """
        client = self._table.meta.client
        try:
            item = self._table.update_item(
                Key={"pk": pk},
                UpdateExpression="ADD attempts :one",
                ConditionExpression=(
                    "attribute_exists(pk) AND expires_at > :now"
                    " AND (attribute_not_exists(attempts) OR attempts < :max)"
                ),
                ExpressionAttributeValues={":one": 1, ":now": now, ":max": max_attempts},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )["Attributes"]
        except client.exceptions.ConditionalCheckFailedException as error:
            old = item_on_failure(error)
            if old and _proof(old).used_up(now, max_attempts):
                raise used_up from error
            raise unusable from error
        return _proof(item)


_STORED = frozenset({"pk", "issued_at", "expires_at", "ttl", "attempts"})


def _proof(item: dict[str, Any]) -> Proof:
    return Proof(
        pk=str(item["pk"]),
        issued_at=int(item.get("issued_at", 0)),
        expires_at=int(item["expires_at"]),
        attempts=int(item.get("attempts", 0)),
        fields={name: plain(value) for name, value in item.items() if name not in _STORED},
    )
