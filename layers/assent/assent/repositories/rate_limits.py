"""The rate-limits table: one counter per (scope, window), taken in the same transaction as the write it
limits, so a refused write counts nothing and a counted one always happened; and slots, each held by one
caller until it lets go or its lease ends."""

from __future__ import annotations

import contextlib
from typing import Any

from assent.model.limits import Limit
from assent.repositories.transactions import Write

# A window's counter is read by nothing once the window has passed; TTL removes it a little later.
_TTL_GRACE_SECONDS = 3600


class RateLimitsRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    @property
    def client(self) -> Any:
        """The low-level client, for transactions of counters alone."""
        return self._table.meta.client

    def take_item(self, scope: str, limit: Limit, *, now: float) -> Write:
        """A write counting one more for `scope` in the current window; it fails (the
        transaction is cancelled) when the window's count has reached the limit."""
        window = int(now) // limit.window_seconds
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": f"{scope}#{window}"},
                    "UpdateExpression": "ADD #count :one SET #ttl = :ttl",
                    "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
                    "ExpressionAttributeNames": {"#count": "count", "#ttl": "ttl"},
                    "ExpressionAttributeValues": {
                        ":one": 1,
                        ":limit": limit.count,
                        ":ttl": (window + 1) * limit.window_seconds + _TTL_GRACE_SECONDS,
                    },
                }
            }
        )

    def hold_slot(self, scope: str, slot: int, holder: str, *, until: int, now: float) -> bool:
        """Take `scope`'s slot number `slot` for `holder` until `until` (epoch seconds), if it is free: never
        taken, let go, or held past its lease (a holder that died holding it). False if it is held."""
        try:
            self._table.put_item(
                Item={
                    "pk": f"{scope}#{slot}",
                    "holder": holder,
                    "held_until": until,
                    "ttl": until + _TTL_GRACE_SECONDS,
                },
                ConditionExpression="attribute_not_exists(pk) OR held_until <= :now",
                ExpressionAttributeValues={":now": int(now)},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def let_go(self, scope: str, slot: int, holder: str) -> None:
        """Free a slot this holder holds; one whose lease ended and that another took stays taken."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self._table.delete_item(
                Key={"pk": f"{scope}#{slot}"},
                ConditionExpression="holder = :holder",
                ExpressionAttributeValues={":holder": holder},
            )
