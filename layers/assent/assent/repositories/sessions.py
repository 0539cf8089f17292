"""The sessions table: one item per refresh-token family, holding the digest of its current token."""

from __future__ import annotations

import contextlib
from typing import Any

from boto3.dynamodb.conditions import Key

from assent.model.sessions import ROTATED_REMEMBERED, Session, rotated_mark
from assent.repositories.reads import all_items
from assent.repositories.transactions import Write

# Kept readable a while after the absolute lifetime, so that a late replay is still recognised and refused.
_RETENTION_SECONDS = 7 * 86_400
BY_KEY_INDEX = "by-key"


def _pk(family_id: str) -> str:
    return f"family#{family_id}"


class SessionsRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    def create(self, session: Session) -> None:
        self._table.put_item(
            Item={
                "pk": _pk(session.family_id),
                "user_id": session.user_id,
                "key": session.key,
                "expires_at": session.expires_at,
                "idle_expires_at": session.idle_expires_at,
                "current_digest": session.current_digest,
                "generation": 0,
                "ttl": session.expires_at + _RETENTION_SECONDS,
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    @property
    def client(self) -> Any:
        """The low-level client, for transactions this repository takes part in."""
        return self._table.meta.client

    def get(self, family_id: str) -> Session | None:
        item = self._table.get_item(Key={"pk": _pk(family_id)}, ConsistentRead=True).get("Item")
        return _session(family_id, item) if item else None

    def rotate_item(self, session: Session, *, next_digest: str, idle_expires_at: int, now: int) -> Write:
        """A write swapping the family's current digest for `next_digest`, provided it is still the one
        `session` read and the family is live; the digest it replaces joins the rotated marks, the oldest
        beyond ROTATED_REMEMBERED dropped."""
        rotated = [rotated_mark(session.current_digest), *session.rotated][:ROTATED_REMEMBERED]
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _pk(session.family_id)},
                    "UpdateExpression": (
                        "SET current_digest = :next, idle_expires_at = :idle, rotated = :rotated"
                        " ADD generation :one"
                    ),
                    "ConditionExpression": (
                        "current_digest = :current AND attribute_not_exists(revoked_at)"
                        " AND expires_at > :now AND idle_expires_at > :now"
                    ),
                    "ExpressionAttributeValues": {
                        ":next": next_digest,
                        ":current": session.current_digest,
                        ":idle": idle_expires_at,
                        ":rotated": rotated,
                        ":now": now,
                        ":one": 1,
                    },
                }
            }
        )

    def revoke(self, family_id: str, *, now: int, reason: str) -> None:
        # Already revoked, or gone: either way no token of it works.
        with contextlib.suppress(self._table.meta.client.exceptions.ConditionalCheckFailedException):
            self._table.update_item(
                Key={"pk": _pk(family_id)},
                UpdateExpression="SET revoked_at = :now, revoked_reason = :reason",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)",
                ExpressionAttributeValues={":now": now, ":reason": reason},
            )

    def revoke_for_key(self, key: str, *, now: int, reason: str) -> int:
        """Revoke every session begun with `key` (SECURITY.md 25); returns how many were live.

        The index is eventually consistent: a session begun within the same second as the key's
        revocation may be missed. It cannot refresh all the same: a refresh checks its key (SECURITY.md 33).
        """
        live = self._live_for_key(key, now=now)
        for family_id, _ in live:
            self.revoke(family_id, now=now, reason=reason)
        return len(live)

    def end_oldest_beyond(self, key: str, keep: int, *, now: int) -> None:
        """End the oldest live sessions of `key` beyond the newest `keep`."""
        live = sorted(self._live_for_key(key, now=now), key=lambda family: family[1], reverse=True)
        for family_id, _ in live[keep:]:
            self.revoke(family_id, now=now, reason="too-many-sessions")

    def _live_for_key(self, key: str, *, now: int) -> list[tuple[str, int]]:
        """The live sessions of `key` as the index has them: (family id, absolute deadline)."""
        return [
            (str(item["pk"]).removeprefix("family#"), int(item["expires_at"]))
            for item in all_items(
                self._table.query, IndexName=BY_KEY_INDEX, KeyConditionExpression=Key("key").eq(key)
            )
            if item.get("revoked_at") is None and int(item["expires_at"]) > now
        ]


def _session(family_id: str, item: dict[str, Any]) -> Session:
    return Session(
        family_id=family_id,
        user_id=str(item["user_id"]),
        key=str(item["key"]),
        expires_at=int(item["expires_at"]),
        idle_expires_at=int(item["idle_expires_at"]),
        current_digest=str(item["current_digest"]),
        revoked_at=int(item["revoked_at"]) if item.get("revoked_at") is not None else None,
        rotated=tuple(str(mark) for mark in item.get("rotated", ())),
    )
