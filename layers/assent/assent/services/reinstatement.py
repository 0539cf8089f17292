"""A wallet revoked by mistake comes back (SECURITY.md 35): when it proves possession again, its user's live
keys are asked, in view, as for a recovery; once a cooling-off has passed with no denial (or at once, if one
of them approves with the number the wallet's screen shows), the wallet is live again.

A device whose key was revoked makes a new key; a wallet cannot, its address is what it is, so its
revocation is not final. Each revocation has its own request: a wallet revoked again, after it was
reinstated, waits out a new cooling-off.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assent.core.clock import iso8601
from assent.core.errors import KeyReinstatementPending, SignInFailed
from assent.model.operations import (
    ASSENT_CLIENT_ID,
    ASSENT_CLIENT_NAME,
    Operation,
    OperationState,
    Purpose,
    matching_number,
)
from assent.repositories.transactions import transact

if TYPE_CHECKING:
    from assent.model.users import KeyRecord
    from assent.repositories.operations import OperationsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.request_limits import ApprovalRequestLimits


class _Raced(Exception):
    """Another request wrote the same item first."""


def _pending(operation: Operation) -> KeyReinstatementPending:
    return KeyReinstatementPending(
        "this wallet was revoked; it signs in again at "
        f"{iso8601(operation.expires_at * 1000)} unless one of your devices denies it, or at once if one "
        f"approves it with the number {operation.number}"
    )


class WalletReinstatement:
    def __init__(
        self,
        *,
        users: UsersRepository,
        operations: OperationsRepository,
        limits: ApprovalRequestLimits,
        cooling_off_seconds: int,
        retention_seconds: int,
        node_id: str,
    ) -> None:
        self._users = users
        self._operations = operations
        self._limits = limits
        self._cooling_off = cooling_off_seconds
        self._retention = retention_seconds
        self._node_id = node_id

    def reinstate(self, key: KeyRecord, *, now: float) -> None:
        """Make the revoked wallet `key`, which has just proved possession, live again if its cooling-off is
        over; otherwise ask for it (KeyReinstatementPending). A denied request is SignInFailed."""
        operation_id = f"reinstate-{key.public_key}-{key.revoked_at}"
        operation = self._operations.get(ASSENT_CLIENT_ID, operation_id, now=now) or self._ask(
            key, operation_id, now=now
        )
        state = operation.state_at(now)
        if state is OperationState.PENDING:
            raise _pending(operation)
        if state not in (OperationState.APPROVED, OperationState.EXPIRED):
            raise SignInFailed("the signature does not prove this sign-in")
        try:
            transact(
                self._users.client,
                [
                    self._users.reinstate_key_item(key).refused_with(_Raced()),
                    self._users.count_live_keys_item(key.user_id, 1),
                ],
            )
        except _Raced:
            current = self._users.key(key.ref)
            if current is None or not current.live or current.user_id != key.user_id:
                raise SignInFailed("the signature does not prove this sign-in") from None

    def _ask(self, key: KeyRecord, operation_id: str, *, now: float) -> Operation:
        shown = {
            "reinstateKey": {
                "type": key.key_type,
                "address": key.public_key,
                "revokedAt": iso8601((key.revoked_at or 0) * 1000),
            }
        }
        operation = Operation.new(
            client_id=ASSENT_CLIENT_ID,
            client_name=ASSENT_CLIENT_NAME,
            key_id=ASSENT_CLIENT_ID,
            operation_id=operation_id,
            user_id=key.user_id,
            node_id=self._node_id,
            now=now,
            lifetime_seconds=self._cooling_off,
            retention_seconds=self._retention,
            payload=json.dumps(shown, sort_keys=True, separators=(",", ":")),
            purpose=Purpose.REINSTATEMENT,
            number=matching_number(),
        )
        try:
            transact(
                self._operations.client,
                [
                    self._limits.per_user_item(key.user_id, now=now),
                    self._operations.create_item(operation).refused_with(_Raced()),
                ],
            )
        except _Raced:
            # Asked a moment ago by another attempt of the same wallet: that request stands.
            raced = self._operations.get(ASSENT_CLIENT_ID, operation_id, now=now)
            if raced is None:
                raise SignInFailed("the signature does not prove this sign-in") from None
            return raced
        return operation
