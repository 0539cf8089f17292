"""The sessions table: one item per refresh-token family, holding the digest of its current token."""

from __future__ import annotations

import contextlib
from typing import Any

from boto3.dynamodb.conditions import Key

from assent.model.sessions import ROTATED_REMEMBERED, NotRotated, Session, rotated_mark
from assent.repositories.reads import all_items, item_on_failure

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

    def rotate(
        self, family_id: str, *, presented: str, next_digest: str, idle_expires_at: int, now: int
    ) -> Session:
        """Swap the current digest in one conditional update, and return the rotated session.

        Raises NotRotated, with the family as it was (or None if there is none), when `presented` is not
        the current digest of a live family.
        """
        client = self._table.meta.client
        try:
            item = self._table.update_item(
                Key={"pk": _pk(family_id)},
                UpdateExpression=(
                    "SET current_digest = :next, idle_expires_at = :idle,"
                    " rotated = list_append(:presented_mark, if_not_exists(rotated, :none))"
                    " ADD generation :one"
                ),
                ConditionExpression=(
                    "current_digest = :presented AND attribute_not_exists(revoked_at)"
                    " AND expires_at > :now AND idle_expires_at > :now"
                ),
                ExpressionAttributeValues={
                    ":next": next_digest,
                    ":presented": presented,
                    ":presented_mark": [rotated_mark(presented)],
                    ":none": [],
                    ":idle": idle_expires_at,
                    ":now": now,
                    ":one": 1,
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )["Attributes"]
        except client.exceptions.ConditionalCheckFailedException as error:
            old = item_on_failure(error)
            raise NotRotated(_session(family_id, old) if old else None) from error
        if len(item["rotated"]) >= 2 * ROTATED_REMEMBERED:
            self._forget_older_half(family_id)
        return _session(family_id, item)

    def _forget_older_half(self, family_id: str) -> None:
        """One write every ROTATED_REMEMBERED rotations keeps the family's item small; until then the list
        only grows, so no rotation needs a second write."""
        older = ", ".join(f"rotated[{i}]" for i in range(ROTATED_REMEMBERED, 2 * ROTATED_REMEMBERED))
        self._table.update_item(Key={"pk": _pk(family_id)}, UpdateExpression=f"REMOVE {older}")

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
        revocation may be missed. Signing in checks the key is live, so none can begin after it.
        """
        live = [
            item
            for item in all_items(
                self._table.query, IndexName=BY_KEY_INDEX, KeyConditionExpression=Key("key").eq(key)
            )
            if item.get("revoked_at") is None and int(item["expires_at"]) > now
        ]
        for item in live:
            self.revoke(str(item["pk"]).removeprefix("family#"), now=now, reason=reason)
        return len(live)


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
