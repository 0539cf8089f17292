"""A user's device approves or denies a pending operation by signing exactly what it showed.

The device signs, with ECDSA P-256/SHA-256 and one of the user's live keys, the UTF-8 bytes of the
hex digest (as it signs a sign-in challenge) of this text, lines joined by "\\n":

    assent-approval/v3
    decision:<approve|deny>
    purpose:<operation|device.signin|account.recovery|authorization|key.reinstate>
    request:<requestId>
    client:<the requesting client's registered name, as the pending list shows it; Assent's own: "Assent">
    instance:<the operation's own random id, as the pending list shows it>
    expires:<expiresAt, as the pending list shows it>
    payload-sha256:<hex SHA-256 of the UTF-8 payload shown, or of "" when there is none>
    number:<the number the user entered>      (only to approve an operation that asks for number matching)

A wallet signs the same hex digest with EIP-191 (`personal_sign` of its UTF-8 bytes), so an account with
no device key, a wallet-only one, can approve and veto every purpose too, its recovery included
(SECURITY.md 36). A WebAuthn passkey asserts the digest's 32 bytes as its challenge (SECURITY.md 40).

Every field the user saw, and the decision itself, is covered (SECURITY.md 6, 13, 15, 37): a signature
over one operation, purpose or decision is worth nothing for any other, nor for a later operation that
reuses the same operationId once this one's retention is over (its instance differs).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from assent.core.clock import Clock, iso8601, system_clock
from assent.core.errors import (
    ApprovalRefused,
    InvalidKey,
    InvalidRequest,
    NumberMismatch,
    NumberRequired,
    OperationNotFound,
    OperationNotPending,
)
from assent.crypto.named_keys import named_key
from assent.model.operations import Operation, OperationState
from assent.repositories.transactions import transact

if TYPE_CHECKING:
    from assent.crypto.wallets import RecoverSigner
    from assent.repositories.operations import OperationsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.passkeys import Passkeys

FORMAT = "assent-approval/v3"
NUMBER_MISMATCH = "number_mismatch"
# What deciding may answer besides bad input (for the API document of approve and deny).
DECISION_REFUSALS = (
    InvalidKey,
    OperationNotFound,
    OperationNotPending,
    NumberRequired,
    ApprovalRefused,
    NumberMismatch,
)


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"

    @property
    def state(self) -> OperationState:
        return OperationState.APPROVED if self is Decision.APPROVE else OperationState.DENIED


def approval_digest(operation: Operation, decision: Decision, number: str | None = None) -> str:
    """The hex digest a device signs to take `decision` on `operation`; `number` is what the user entered
    to approve an operation that asks for number matching, so the signature covers it too."""
    payload = hashlib.sha256((operation.payload or "").encode("utf-8")).hexdigest()
    lines = [
        FORMAT,
        f"decision:{decision.value}",
        f"purpose:{operation.purpose.value}",
        f"request:{operation.request_id}",
        f"client:{operation.client_name}",
        # This incarnation of the request: a client may reuse an operationId once the earlier one's retention
        # is over, and a decision signed for that one must be worth nothing for this one.
        f"instance:{operation.id}",
        f"expires:{iso8601(operation.expires_at * 1000)}",
        f"payload-sha256:{payload}",
    ]
    if number is not None:
        lines.append(f"number:{number}")
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def asks_for_number(operation: Operation, decision: Decision) -> bool:
    """Approving a number-matching operation takes the number its client showed; denying never does."""
    return operation.number is not None and decision is Decision.APPROVE


@dataclass(frozen=True)
class SignedDecision:
    decision: Decision
    public_key: str  # x‖y hex of the P-256 key that signed, or the wallet's 0x address ("" for a credential)
    signature: str  # r‖s hex, or a wallet's 0x-prefixed 65-byte EIP-191 signature ("" for a credential)
    auth_type: str  # biom or pin, as the device reports how the user unlocked the key
    number: str | None = None  # the number the user entered, for number matching
    credential: Mapping[str, Any] | None = None  # a WebAuthn passkey's assertion, in place of a signature


class Approvals:
    def __init__(
        self,
        operations: OperationsRepository,
        users: UsersRepository,
        *,
        recover: RecoverSigner,
        passkeys: Callable[[], Passkeys],
        clock: Clock = system_clock,
    ) -> None:
        self._operations = operations
        self._users = users
        self._recover = recover
        # Built on first use: a decision by a device key or wallet never loads the WebAuthn verifier.
        self._passkeys = passkeys
        self._clock = clock

    def pending(self, user_id: str) -> list[Operation]:
        """Everything waiting for this user's decision, from every client and from Assent itself."""
        return self._operations.pending_for_user(user_id, client_id=None, now=self._clock())

    def decide(self, user_id: str, request_id: str, signed: SignedDecision) -> Operation:
        """Record a signed decision; the operation as decided."""
        client_id, _, operation_id = request_id.partition(".")
        now = self._clock()
        operation = self._operations.get(client_id, operation_id, now=now) if operation_id else None
        # Another user's operation is as absent as one that never was (SECURITY.md 17).
        if operation is None or operation.user_id != user_id:
            raise OperationNotFound("no such operation awaits this user")
        if operation.state_at(now) is not OperationState.PENDING:
            raise OperationNotPending(f"the operation is {operation.state_at(now).value}")
        if asks_for_number(operation, signed.decision) and signed.number is None:
            raise NumberRequired("approving this operation takes the number its client shows")
        if signed.number is not None and not asks_for_number(operation, signed.decision):
            raise InvalidRequest("a number is sent only to approve an operation that asks for one")
        digest = approval_digest(operation, signed.decision, signed.number)
        refused = ApprovalRefused("the decision is not signed by a live key of this user")
        if signed.credential is not None:
            proof = self._passkeys().proof(signed.credential, digest, user_id, refused)
            ref, key_write = proof.ref, proof.write
        else:
            signer = named_key(signed.public_key, self._recover)
            if not signer.signed(digest, signed.signature):
                raise refused
            ref, key_write = (
                signer.ref,
                self._users.live_key_check_item(signer.ref, user_id).refused_with(refused),
            )
        # A wrong number denies the request: the person approving has not seen the client's screen, which
        # is what number matching is there to catch (push fatigue), so a retry is not offered.
        matched = signed.number is None or hmac.compare_digest(signed.number, operation.number or "")
        state = signed.decision.state if matched else OperationState.DENIED
        reason = None if matched else NUMBER_MISMATCH
        transact(
            self._operations.client,
            [
                key_write,
                # Decided by another device in the meantime, or expired: the first decision stands.
                self._operations.decide_item(
                    operation, state, key=ref, auth_type=signed.auth_type, now=now, reason=reason
                ).refused_with(OperationNotPending("the operation is no longer pending")),
            ],
        )
        if not matched:
            raise NumberMismatch("the number does not match the one shown; the request is denied")
        return replace(
            operation,
            state=state,
            decided_ms=int(now * 1000),
            decided_by=ref,
            auth_type=signed.auth_type,
        )
