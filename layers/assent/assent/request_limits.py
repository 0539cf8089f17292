"""How many approval requests a user may receive and a client may make (SECURITY.md 18: push-bombing).

A request is written in one transaction with its two counters: `items` come first, and a cancelled
transaction whose first two items failed was refused by a limit (`raise_if_limited`).
"""

from __future__ import annotations

from typing import Any

from assent.errors import RequestsThrottled
from assent.repositories.rate_limits import Limit, RateLimitsRepository
from assent.repositories.transactions import TransactionCancelled


class ApprovalRequestLimits:
    def __init__(self, repository: RateLimitsRepository, *, per_user: Limit, per_client: Limit) -> None:
        self._repository = repository
        self._per_user = per_user
        self._per_client = per_client

    def items(self, *, client_id: str, user_id: str, now: float) -> list[dict[str, Any]]:
        """The two counter items that lead a transaction creating one request from `client_id` to
        `user_id`; the per-user counter spans every client, since the user's device is what is flooded."""
        return [
            self._repository.take_item(f"requests#user#{user_id}", self._per_user, now=now),
            self._repository.take_item(f"requests#client#{client_id}", self._per_client, now=now),
        ]

    def raise_if_limited(self, error: TransactionCancelled) -> None:
        """Turn a cancellation caused by a counter into RequestsThrottled; otherwise do nothing."""
        if error.failed(0):
            raise RequestsThrottled(
                f"this user may receive {self._per_user.count} requests per"
                f" {self._per_user.window_seconds} s; try again later"
            ) from error
        if error.failed(1):
            raise RequestsThrottled(
                f"this client may make {self._per_client.count} requests per"
                f" {self._per_client.window_seconds} s; try again later"
            ) from error

    @property
    def count(self) -> int:
        """How many items `items` puts before the request's own."""
        return 2
