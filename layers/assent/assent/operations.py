"""Operations: pending approvals a client creates for a user, and their lifecycle."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from assent.clock import Clock, system_clock
from assent.errors import OperationNotFound

if TYPE_CHECKING:
    from assent.clients import Client
    from assent.repositories.operations import OperationsRepository

# JavaScript reads numbers exactly up to 2**53, and Keyless's `id` is a JSON number.
_ID_BITS = 53


class OperationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Operation:
    client_id: str
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

    def state_at(self, now: float) -> OperationState:
        """The stored state, except that a pending operation past its deadline is expired (SECURITY.md 4)."""
        if self.state is OperationState.PENDING and now >= self.expires_at:
            return OperationState.EXPIRED
        return self.state

    def as_of(self, now: float) -> Operation:
        return replace(self, state=self.state_at(now))


class OperationsService:
    def __init__(
        self,
        repository: OperationsRepository,
        *,
        lifetime_seconds: int,
        retention_seconds: int,
        node_id: str,
        clock: Clock = system_clock,
    ) -> None:
        self._repository = repository
        self._lifetime = lifetime_seconds
        self._retention = retention_seconds
        self._node_id = node_id
        self._clock = clock

    def create(
        self,
        client: Client,
        *,
        user_id: str,
        operation_id: str,
        payload: str | None,
        external_user_id: str | None,
    ) -> Operation:
        now = self._clock()
        expires_at = int(now) + self._lifetime
        operation = Operation(
            client_id=client.client_id,
            operation_id=operation_id,
            id=secrets.randbits(_ID_BITS),
            user_id=user_id,
            key_id=client.key_id,
            node_id=self._node_id,
            created_ms=int(now * 1000),
            expires_at=expires_at,
            retain_until=expires_at + self._retention,
            payload=payload,
            external_user_id=external_user_id,
        )
        self._repository.create(operation, now=now)
        return operation

    def get(self, client: Client, operation_id: str) -> Operation:
        now = self._clock()
        operation = self._repository.get(client.client_id, operation_id, now=now)
        if operation is None:
            raise OperationNotFound("operation not found")
        return operation.as_of(now)

    def pending_for_user(self, client: Client, user_id: str) -> list[Operation]:
        return self._repository.pending_for_user(
            user_id,
            client_id=client.client_id,
            now=self._clock(),
            max_lifetime_seconds=self._lifetime,
        )
