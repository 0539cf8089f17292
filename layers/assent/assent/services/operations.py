"""Operations a client creates for a user (Keyless): created within the request limits, read back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import OperationExists, OperationNotFound, OperationNotPending
from assent.model.operations import Operation, Purpose

if TYPE_CHECKING:
    from assent.model.clients import Client
    from assent.repositories.operations import OperationsRepository
    from assent.services.request_limits import ApprovalRequestLimits


class OperationsService:
    def __init__(
        self,
        repository: OperationsRepository,
        limits: ApprovalRequestLimits,
        *,
        lifetime_seconds: int,
        retention_seconds: int,
        node_id: str,
        clock: Clock = system_clock,
    ) -> None:
        self._repository = repository
        self._limits = limits
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
        operation = Operation.new(
            client_id=client.client_id,
            client_name=client.name,
            key_id=client.key_id,
            operation_id=operation_id,
            user_id=user_id,
            node_id=self._node_id,
            now=now,
            lifetime_seconds=self._lifetime,
            retention_seconds=self._retention,
            payload=payload,
            external_user_id=external_user_id,
        )
        self._limits.transact(
            self._repository.client,
            [
                self._repository.create_item(operation, now=now).refused_with(
                    OperationExists("an operation with this operationId exists")
                )
            ],
            client_id=client.client_id,
            user_id=user_id,
            now=now,
        )
        return operation

    def get(self, client: Client, operation_id: str) -> Operation:
        now = self._clock()
        operation = self._repository.get(client.client_id, operation_id, now=now)
        if operation is None:
            raise OperationNotFound("operation not found")
        return operation.as_of(now)

    def cancel(self, client: Client, operation_id: str) -> Operation:
        """Cancel one of the client's pending operations: it leaves its user's list and cannot be decided."""
        return cancel(
            self._repository, client, operation_id, Purpose.OPERATION, self._clock(), OperationNotFound
        )

    def pending_for_user(self, client: Client, user_id: str) -> list[Operation]:
        return self._repository.pending_for_user(user_id, client_id=client.client_id, now=self._clock())


def cancel(
    repository: OperationsRepository,
    client: Client,
    operation_id: str,
    purpose: Purpose,
    now: float,
    not_found: type[Exception],
) -> Operation:
    """Cancel a client's pending operation of `purpose` (SECURITY.md 14): `not_found` if it has none by
    this id, OperationNotPending if it was decided, expired or cancelled before."""
    outcome = repository.cancel(client.client_id, operation_id, purpose=purpose, now=now)
    if outcome is None:
        raise not_found(f"no operation {operation_id}")
    operation, cancelled = outcome
    if not cancelled:
        raise OperationNotPending(f"the operation is {operation.state_at(now).value}, no longer pending")
    return operation
