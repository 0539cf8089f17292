"""How many approval requests a user may receive and a client may make (SECURITY.md 18: push-bombing).

A request is written in one transaction with its two counters (`transact`), so a refused request counts
nothing and a counted one always happened.
"""

from __future__ import annotations

from typing import Any

from assent.core.errors import RequestsThrottled
from assent.model.limits import Limit
from assent.repositories.rate_limits import RateLimitsRepository
from assent.repositories.transactions import TransactionCancelled, transact


class ApprovalRequestLimits:
    def __init__(self, repository: RateLimitsRepository, *, per_user: Limit, per_client: Limit) -> None:
        self._repository = repository
        self._per_user = per_user
        self._per_client = per_client

    def transact(
        self, client: Any, items: list[dict[str, Any]], *, client_id: str, user_id: str, now: float
    ) -> None:
        """Commit `items`, which create one request from `client_id` to `user_id`, with its two counters.

        Raises RequestsThrottled when a counter is full, and otherwise TransactionCancelled with the
        reasons of `items` alone. The per-user counter spans every client, since the user's device is
        what is flooded.
        """
        counters = [
            self._repository.take_item(f"requests#user#{user_id}", self._per_user, now=now),
            self._repository.take_item(f"requests#client#{client_id}", self._per_client, now=now),
        ]
        try:
            transact(client, [*counters, *items])
        except TransactionCancelled as error:
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
            raise TransactionCancelled(error.reasons[len(counters) :]) from error
