"""From changes to work: each event of a table's change becomes a delivery for each of its client's
endpoints that wants it, a push to the user's devices, and, for a new operation, a timer for its expiry.

Everything here may run twice for one change (a batch retried after a failure): deliveries and push marks
are keyed by the event's id, so the second run finds them and sends nothing again (SECURITY.md 41).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assent.core import config
from assent.core.clock import Clock, system_clock
from assent.model.events import OPERATION_CREATED, Event, operation_events, secure_action_events
from assent.model.operations import request_id
from assent.model.webhooks import Delivery
from assent.repositories.reads import plain
from assent.services.webhooks import delivery_message

if TYPE_CHECKING:
    from assent.adapters.queues import Queue
    from assent.repositories.webhooks import WebhooksRepository

# Events a user's devices are pushed: a request waiting for them. A decision needs no push: the device that
# decided knows, and the others drop it from their list at their next read.
PUSHED = frozenset({OPERATION_CREATED})


class EventRouter:
    def __init__(
        self,
        webhooks: WebhooksRepository,
        *,
        deliveries: Queue,
        pushes: Queue,
        expiries: Queue,
        push_enabled: bool,
        clock: Clock = system_clock,
    ) -> None:
        self._webhooks = webhooks
        self._deliveries = deliveries
        self._pushes = pushes
        self._expiries = expiries
        self._push_enabled = push_enabled
        self._clock = clock

    def route(self, event: Event) -> None:
        if event.type == OPERATION_CREATED and event.expires_at is not None:
            self._schedule_expiry(event)
        if event.for_a_client:
            self._deliver(event)
        if self._push_enabled and event.type in PUSHED:
            self._pushes.send(
                {
                    "eventId": event.id,
                    "type": event.type,
                    "userId": event.user_id,
                    "purpose": event.purpose,
                    "requestId": request_id(event.client_id, str(event.data["operationId"])),
                    "operationId": event.data["operationId"],
                    "createdMs": event.timestamp_ms,
                    "expiresAt": event.expires_at,
                }
            )

    def _deliver(self, event: Event) -> None:
        now = self._clock()
        for endpoint in self._webhooks.endpoints_of(event.client_id):
            if not endpoint.wants(event.type):
                continue
            fresh = Delivery.of(endpoint, event.id, event.type, event.timestamp_ms, event.data)
            delivery = self._webhooks.add_delivery(fresh, now=now)
            if not delivery.enqueued:  # a run that stored it and stopped before queueing it
                self._deliveries.send(delivery_message(delivery))
                self._webhooks.mark_enqueued(delivery)

    def _schedule_expiry(self, event: Event) -> None:
        expires_at = int(event.expires_at or 0)
        self._expiries.send(
            expiry_message(event.client_id, str(event.data["operationId"]), expires_at),
            delay_seconds=int(expires_at - self._clock()) + 1,
        )


def events_of_change(source_arn: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
    """The events of one change read from a table's stream (`source_arn` names the table)."""
    table = source_arn.split(":table/", 1)[-1].split("/", 1)[0]
    old_plain, new_plain = (plain(old) if old else None), (plain(new) if new else None)
    if table == config.settings().operations_table:
        return operation_events(old_plain, new_plain)
    if table == config.settings().secure_actions_table:
        return secure_action_events(old_plain, new_plain)
    raise ValueError(f"changes of {table} make no events")


def expiry_message(client_id: str, operation_id: str, expires_at: int) -> dict[str, object]:
    return {"clientId": client_id, "operationId": operation_id, "expiresAt": expires_at}
