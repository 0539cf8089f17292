"""How many approval requests a user may receive and a client may make (SECURITY.md 18: push-bombing).

A request is written in one transaction with its counters (`transact`), so a refused request counts nothing
and a counted one always happened. Besides the user's and the client's, a client has a smaller allowance for
each user (SECURITY.md 39), so that one client cannot spend a user's whole allowance and starve the user's
other clients; and a lookup of a user that finds no one counts against the client's own allowance.
"""

from __future__ import annotations

from typing import Any

from assent.core.errors import RequestsThrottled
from assent.model.limits import Limit
from assent.repositories.rate_limits import RateLimitsRepository
from assent.repositories.transactions import Write, transact


class ApprovalRequestLimits:
    def __init__(
        self, repository: RateLimitsRepository, *, per_user: Limit, per_client: Limit, per_client_user: Limit
    ) -> None:
        self._repository = repository
        self._per_user = per_user
        self._per_client = per_client
        self._per_client_user = per_client_user

    def transact(self, client: Any, writes: list[Write], *, client_id: str, user_id: str, now: float) -> None:
        """Commit `writes`, which create one request from `client_id` to `user_id`, with its two counters.

        A full counter is refused with RequestsThrottled.
        """
        per_client_user = self._repository.take_item(
            f"requests#client-user#{client_id}#{user_id}", self._per_client_user, now=now
        )
        transact(
            client,
            [
                self.per_user_item(user_id, now=now),
                self._per_client_item(client_id, now=now),
                per_client_user.refused_with(
                    _throttled("this client may send this user", self._per_client_user)
                ),
                *writes,
            ],
        )

    def count_miss(self, client: Any, client_id: str, *, now: float) -> None:
        """Count a lookup of a user that found no one against the client's allowance, so that it cannot
        try addresses at scale (SECURITY.md 39); RequestsThrottled once the allowance is spent."""
        transact(client, [self._per_client_item(client_id, now=now)])

    def _per_client_item(self, client_id: str, *, now: float) -> Write:
        return self._repository.take_item(
            f"requests#client#{client_id}", self._per_client, now=now
        ).refused_with(_throttled("this client may make", self._per_client))

    def per_user_item(self, user_id: str, *, now: float) -> Write:
        """The write counting one more request to `user_id`, refused with RequestsThrottled once the window is
        full. It spans every client and Assent's own requests (new devices, recoveries), since the user's
        device is what is flooded; those have no per-client counter, which would be everyone's."""
        return self._repository.take_item(f"requests#user#{user_id}", self._per_user, now=now).refused_with(
            _throttled("this user may receive", self._per_user)
        )


def _throttled(who: str, limit: Limit) -> RequestsThrottled:
    return RequestsThrottled(f"{who} {limit.count} requests per {limit.window_seconds} s; try again later")
