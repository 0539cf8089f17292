"""How many calls of one client may wait for decisions at once (SECURITY.md 38).

A call that waits (UNLOQ's `authorize`, `GET /v1/approvals/{id}?wait=`) holds a Lambda instance for up to
25 s; without a cap one client could hold all of them. Each waiting call holds one of its client's slots
for its wait and lets go after; a slot is leased, so one whose function died holding it frees itself when
its lease ends. A call finding every slot held is refused, before it creates anything.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import TooManyWaiting

if TYPE_CHECKING:
    from assent.repositories.rate_limits import RateLimitsRepository

# A lease outlasts its wait by this much, for the call's own work around the wait.
_LEASE_MARGIN_SECONDS = 5


class WaitingCalls:
    def __init__(
        self, repository: RateLimitsRepository, *, per_client: int, clock: Clock = system_clock
    ) -> None:
        self._repository = repository
        self._per_client = per_client
        self._clock = clock

    @contextmanager
    def slot(self, client_id: str, *, seconds: float) -> Iterator[None]:
        """Hold one of the client's slots while waiting up to `seconds`; TooManyWaiting if all are held."""
        scope = f"waits#client#{client_id}"
        holder = secrets.token_hex(8)
        now = self._clock()
        until = math.ceil(now + seconds) + _LEASE_MARGIN_SECONDS
        # Tried in a random order: calls that start together do not all contend for slot 0 first.
        slots = random.sample(range(self._per_client), self._per_client)
        held = next(
            (slot for slot in slots if self._repository.hold_slot(scope, slot, holder, until=until, now=now)),
            None,
        )
        if held is None:
            raise TooManyWaiting(
                f"this client has {self._per_client} calls waiting for decisions already; "
                "wait less (wait=0) or try again later"
            )
        try:
            yield
        finally:
            self._repository.let_go(scope, held, holder)
