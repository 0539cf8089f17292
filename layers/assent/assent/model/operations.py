"""Operations: pending approvals a client creates for a user, and the rules of their lifecycle."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from enum import StrEnum

# JavaScript reads numbers exactly up to 2**53, and Keyless's `id` is a JSON number.
_ID_BITS = 53
# Requests Assent makes of a user itself (a new device, a recovery) belong to no client; client ids
# all start `cl_`, so this one cannot clash.
ASSENT_CLIENT_ID = "assent"
# The name a device shows for them; no client may register it (SECURITY.md 37).
ASSENT_CLIENT_NAME = "Assent"


def request_id(client_id: str, operation_id: str) -> str:
    """How a user's device names an operation: its client and its id (client ids hold no dot)."""
    return f"{client_id}.{operation_id}"


def matching_number() -> str:
    """A number for number matching: two digits, as the prompts people know show, easy to read and type."""
    return str(10 + secrets.randbelow(90))


class Purpose(StrEnum):
    """What approving an operation does; the approver's signature covers it (SECURITY.md 6)."""

    OPERATION = "operation"  # a client's operation (Keyless), approved or denied and nothing more
    NEW_DEVICE = "device.signin"  # sign a new device in (Hyphen 2FA)
    RECOVERY = "account.recovery"  # let an account recovery complete before its cooling-off ends
    AUTHORIZATION = "authorization"  # a client's action, rendered (UNLOQ); the payload is its display
    REINSTATEMENT = "key.reinstate"  # let a revoked wallet that proved possession sign in again


class OperationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Operation:
    client_id: str
    # The client's registered name when the request was made: the device shows it and the approval signs it,
    # so that one client cannot word a request as if another made it (SECURITY.md 37).
    client_name: str
    operation_id: str
    id: int
    user_id: str
    key_id: str
    node_id: str
    created_ms: int
    expires_at: int
    retain_until: int
    state: OperationState = OperationState.PENDING
    payload: str | None = None
    external_user_id: str | None = None
    auth_type: str | None = None
    purpose: Purpose = Purpose.OPERATION
    decided_ms: int | None = None
    decided_by: str | None = None  # the key reference that signed the decision
    # Number matching: the number the client shows its user, which the device must send back to approve.
    number: str | None = None
    reason: str | None = None  # why a decision was taken for the user (a number that did not match)

    @property
    def request_id(self) -> str:
        return request_id(self.client_id, self.operation_id)

    @classmethod
    def new(
        cls,
        *,
        client_id: str,
        client_name: str,
        key_id: str,
        operation_id: str,
        user_id: str,
        node_id: str,
        now: float,
        lifetime_seconds: int,
        retention_seconds: int,
        payload: str | None,
        purpose: Purpose = Purpose.OPERATION,
        external_user_id: str | None = None,
        number: str | None = None,
    ) -> Operation:
        """A pending operation, created now, that waits `lifetime_seconds` for a decision."""
        expires_at = int(now) + lifetime_seconds
        return cls(
            client_id=client_id,
            client_name=client_name,
            operation_id=operation_id,
            id=secrets.randbits(_ID_BITS),
            user_id=user_id,
            key_id=key_id,
            node_id=node_id,
            created_ms=int(now * 1000),
            expires_at=expires_at,
            retain_until=expires_at + retention_seconds,
            payload=payload,
            external_user_id=external_user_id,
            purpose=purpose,
            number=number,
        )

    def state_at(self, now: float) -> OperationState:
        """The stored state, except that a pending operation past its deadline is expired (SECURITY.md 4)."""
        if self.state is OperationState.PENDING and now >= self.expires_at:
            return OperationState.EXPIRED
        return self.state

    def as_of(self, now: float) -> Operation:
        return replace(self, state=self.state_at(now))
