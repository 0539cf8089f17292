"""Events: what a change of an operation or a secure action means to the people waiting on it.

Events come from the data (a table's stream of changes), never from the handlers that made the change, so
that no code path can change a state without its event. Each event's id is a digest of the change itself
(the item and the state it reached), so a change read twice is one event (SECURITY.md 41).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from assent.model.operations import ASSENT_CLIENT_ID, OperationState
from assent.model.secure_actions import MAX_ATTEMPTS, PENDING, VERIFIED

OPERATION_CREATED = "operation.created"
OPERATION_APPROVED = "operation.approved"
OPERATION_DENIED = "operation.denied"
OPERATION_CANCELLED = "operation.cancelled"
OPERATION_EXPIRED = "operation.expired"
SECURE_ACTION_VERIFIED = "secure_action.verified"
SECURE_ACTION_LOCKED = "secure_action.locked"
# Every type, as the API document lists them (a webhook's `events`).
EventType = Literal[
    "operation.created",
    "operation.approved",
    "operation.denied",
    "operation.cancelled",
    "operation.expired",
    "secure_action.verified",
    "secure_action.locked",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
_DECIDED = {
    OperationState.APPROVED.value: OPERATION_APPROVED,
    OperationState.DENIED.value: OPERATION_DENIED,
    OperationState.CANCELLED.value: OPERATION_CANCELLED,
    OperationState.EXPIRED.value: OPERATION_EXPIRED,
}


@dataclass(frozen=True)
class Event:
    """One thing that happened, for one client (or for Assent's own requests, `assent`) and one user."""

    id: str
    type: str
    timestamp_ms: int
    client_id: str
    user_id: str
    data: dict[str, Any] = field(default_factory=dict)
    # Only for operations: what the request is (a new device, a client's operation) and until when it waits.
    purpose: str | None = None
    expires_at: int | None = None

    @property
    def for_a_client(self) -> bool:
        """Whether a client's webhooks hear of it: Assent's own requests (new devices, recoveries) belong to
        no client."""
        return self.client_id != ASSENT_CLIENT_ID


def _event_id(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return "evt_" + digest[:32]


def operation_events(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
    """The events of one change of an operation's item (its images before and after, as plain values)."""
    if new is None:  # TTL removed a record long decided or expired: nothing happened to anyone
        return []
    state = str(new["state"])
    was = str(old["state"]) if old is not None else None
    if was is None and state == OperationState.PENDING.value:
        kind, at = OPERATION_CREATED, int(new["created_ms"])
    elif was == OperationState.PENDING.value and state in _DECIDED:
        kind = _DECIDED[state]
        at = int(new.get("decided_ms") or int(new["expires_at"]) * 1000)
    else:
        return []
    data: dict[str, Any] = {
        "clientId": str(new["client_id"]),
        "operationId": str(new["operation_id"]),
        "userId": str(new["user_id"]),
        "state": state,
    }
    return [
        Event(
            id=_event_id("operation", new["pk"], new["id"], state),
            type=kind,
            timestamp_ms=at,
            client_id=str(new["client_id"]),
            user_id=str(new["user_id"]),
            data=data,
            purpose=str(new["purpose"]),
            expires_at=int(new["expires_at"]),
        )
    ]


def secure_action_events(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
    """The events of one change of a secure action's item: verified, or locked by its last wrong code (the
    write that drops a used-up code's digest)."""
    if old is None or new is None or old.get("secure_action_uuid") != new.get("secure_action_uuid"):
        return []
    if old["state"] == PENDING and new["state"] == VERIFIED:
        kind, at = SECURE_ACTION_VERIFIED, int(new["verified_ms"])
    elif (
        new["state"] == PENDING
        and int(new["attempts"]) >= MAX_ATTEMPTS
        and "code_digest" in old
        and "code_digest" not in new
    ):
        kind, at = SECURE_ACTION_LOCKED, int(new["locked_ms"])
    else:
        return []
    client_id = str(new["pk"]).split("#", 1)[0]
    return [
        Event(
            id=_event_id("secure_action", new["pk"], new["secure_action_uuid"], kind),
            type=kind,
            timestamp_ms=at,
            client_id=client_id,
            user_id=str(new["user_id"]),
            data={
                "clientId": client_id,
                "userId": str(new["user_id"]),
                "orderUuid": str(new["order_uuid"]),
                "secureActionUuid": str(new["secure_action_uuid"]),
                "state": "verified" if kind == SECURE_ACTION_VERIFIED else "locked",
            },
        )
    ]
