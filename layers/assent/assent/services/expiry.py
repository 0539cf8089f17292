"""Operations expire as an event at their deadline, not when TTL deletes them days later: a timer message,
held back until the deadline, moves a still pending operation to `expired` in one conditional update, and
the stream reports that change like any decision (SECURITY.md 14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.services.events import expiry_message

if TYPE_CHECKING:
    from assent.adapters.queues import Queue
    from assent.repositories.operations import OperationsRepository


class Expiry:
    def __init__(
        self, operations: OperationsRepository, timers: Queue, *, clock: Clock = system_clock
    ) -> None:
        self._operations = operations
        self._timers = timers
        self._clock = clock

    def due(self, client_id: str, operation_id: str) -> None:
        """Expire the operation if its stored deadline has passed and it is still pending; a timer that came
        early (SQS holds a message back at most 15 minutes) is set again for the rest."""
        now = self._clock()
        deadline = self._operations.expire(client_id, operation_id, now=now)
        if deadline is not None:
            self._timers.send(
                expiry_message(client_id, operation_id, deadline), delay_seconds=int(deadline - now) + 1
            )
