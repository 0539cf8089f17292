"""Authorisation requests (UNLOQ): an action rendered for one user, decided on their device, awaited.

A request is an operation of purpose `authorization` whose payload is its display, as canonical JSON
(`Display`): the device shows it and signs its SHA-256, so the signature covers the rendered text, the
buttons, the reference and who is asking (SECURITY.md 15).
"""

from __future__ import annotations

import json
import secrets
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from assent.core.clock import Clock, Sleep, system_clock, system_sleep
from assent.core.errors import (
    ActionInactive,
    ActionNotFound,
    ApprovalCancelled,
    ApprovalDenied,
    ApprovalNotFound,
    ApprovalTimeout,
    InvalidRequest,
    NoApprovingDevice,
)
from assent.model.operations import Operation, OperationState, Purpose, matching_number
from assent.model.users import InvalidEmail, normalise_email
from assent.services.approvals import NUMBER_MISMATCH
from assent.services.operations import cancel

if TYPE_CHECKING:
    from assent.model.clients import Client
    from assent.repositories.actions import ActionsRepository
    from assent.repositories.operations import OperationsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.request_limits import ApprovalRequestLimits
    from assent.services.waiting import WaitingCalls

# UNLOQ waits 10 to 40 s for a decision; API Gateway ends a request at 29 s, so a call waits at most
# MAX_WAIT_SECONDS and a request that must live longer is then answered `pending`, to be read later.
MIN_TIMEOUT_SECONDS = 10
DEFAULT_TIMEOUT_SECONDS = 25
MAX_WAIT_SECONDS = 25
# Time kept back from the function's own deadline to write the answer.
_ANSWER_MARGIN_SECONDS = 2.0
POLL_SECONDS = 0.5
ID_PREFIX = "ap_"


@dataclass(frozen=True)
class Display:
    """What the user's device shows for a request, and so what its approval signs."""

    application: str
    action: str
    title: str
    message: str
    approve: str
    deny: str
    reference: str
    ip: str | None = None

    def payload(self) -> str:
        # Canonical: sorted keys, no spaces, UTF-8 as is; a device hashes exactly this string.
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def of(cls, operation: Operation) -> Display:
        return cls(**json.loads(operation.payload or "{}"))


@dataclass(frozen=True)
class Recipient:
    """The user a request is for: by e-mail address or by user id."""

    email: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class AuthorizationRequest:
    code: str
    recipient: Recipient
    reference: str
    variables: dict[str, Any]
    ip: str | None = None
    timeout_seconds: int | None = None  # how long the user has to decide
    wait_seconds: int | None = None  # how long this call waits for the decision


class Authorizations:
    def __init__(
        self,
        *,
        actions: ActionsRepository,
        operations: OperationsRepository,
        users: UsersRepository,
        limits: ApprovalRequestLimits,
        waiting: WaitingCalls,
        max_lifetime_seconds: int,
        retention_seconds: int,
        node_id: str,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
    ) -> None:
        self._actions = actions
        self._operations = operations
        self._users = users
        self._limits = limits
        self._waiting = waiting
        self._max_lifetime = max_lifetime_seconds
        self._retention = retention_seconds
        self._node_id = node_id
        self._clock = clock
        self._sleep = sleep

    def authorize(self, client: Client, request: AuthorizationRequest, *, time_left: float) -> Operation:
        """Create the request and wait for its decision, at most `wait_seconds` and never past
        `time_left` (what remains of the function's own time); the request as it then stands."""
        action = self._actions.get(client.client_id, request.code)
        if action is None:
            raise ActionNotFound(f"no action {request.code}")
        if not action.is_active:
            raise ActionInactive(f"the action {request.code} is not active")
        rendered = action.render(request.variables)
        lifetime = request.timeout_seconds or min(DEFAULT_TIMEOUT_SECONDS, self._max_lifetime)
        if not MIN_TIMEOUT_SECONDS <= lifetime <= self._max_lifetime:
            raise InvalidRequest(f"timeout must be {MIN_TIMEOUT_SECONDS}..{self._max_lifetime} seconds")
        user_id = self._approving_user(client, request.recipient)
        display = Display(
            application=client.name,
            action=action.code,
            title=rendered.title,
            message=rendered.message,
            approve=action.approve,
            deny=action.deny,
            reference=request.reference,
            ip=request.ip,
        )
        asked = request.wait_seconds if request.wait_seconds is not None else lifetime
        wait = min(asked, lifetime, MAX_WAIT_SECONDS, time_left - _ANSWER_MARGIN_SECONDS)
        with self._slot(client, wait):
            operation = self._create(client, action.number_matching, user_id, display, lifetime)
            return self._await(operation, wait)

    def _create(
        self, client: Client, number_matching: bool, user_id: str, display: Display, lifetime: int
    ) -> Operation:
        now = self._clock()
        operation = Operation.new(
            client_id=client.client_id,
            client_name=client.name,
            key_id=client.key_id,
            operation_id=ID_PREFIX + secrets.token_hex(12),
            user_id=user_id,
            node_id=self._node_id,
            now=now,
            lifetime_seconds=lifetime,
            retention_seconds=self._retention,
            payload=display.payload(),
            purpose=Purpose.AUTHORIZATION,
            number=matching_number() if number_matching else None,
        )
        self._limits.transact(
            self._operations.client,
            [self._operations.create_item(operation)],
            client_id=client.client_id,
            user_id=user_id,
            now=now,
        )
        return operation

    def get(
        self, client: Client, request_id: str, *, wait_seconds: int = 0, time_left: float = 0.0
    ) -> Operation:
        """One of this client's requests; if still pending, after waiting up to `wait_seconds` for its
        decision (as `authorize` waits). Another client's request does not exist for it."""
        now = self._clock()
        operation = self._operations.get(client.client_id, request_id, now=now)
        if operation is None or operation.purpose is not Purpose.AUTHORIZATION:
            raise ApprovalNotFound(f"no approval {request_id}")
        if wait_seconds and operation.state_at(now) is OperationState.PENDING:
            wait = min(wait_seconds, MAX_WAIT_SECONDS, time_left - _ANSWER_MARGIN_SECONDS)
            with self._slot(client, wait):
                return self._await(operation, wait)
        return operation.as_of(now)

    def cancel(self, client: Client, request_id: str) -> Operation:
        """Cancel one of this client's pending requests; a call waiting for it answers at once."""
        return cancel(
            self._operations, client, request_id, Purpose.AUTHORIZATION, self._clock(), ApprovalNotFound
        )

    def _slot(self, client: Client, wait: float) -> AbstractContextManager[None]:
        """One of the client's waiting slots for a call that waits; nothing for one that does not."""
        return self._waiting.slot(client.client_id, seconds=wait) if wait > 0 else nullcontext()

    def _approving_user(self, client: Client, recipient: Recipient) -> str:
        """The user's id, if they have a live key (every kind can approve); an unknown user is refused the
        same way, so that requests do not tell a client who has an account (SECURITY.md 26), and the miss
        counts against the client's allowance, so that it cannot try addresses at scale (SECURITY.md 39)."""
        user_id = recipient.user_id
        if recipient.email is not None:
            try:
                user_id = self._users.user_id_by_email(normalise_email(recipient.email))
            except InvalidEmail as error:
                raise InvalidRequest(str(error)) from error
        # The by-user index is eventually consistent: a key registered a moment ago may be missed. That
        # only refuses a request; whether a key may approve is decided on its own item, when it approves.
        if user_id is None or not any(key.live for key in self._users.keys_of(user_id)):
            self._limits.count_miss(self._operations.client, client.client_id, now=self._clock())
            raise NoApprovingDevice("the user has no device that can approve")
        return user_id

    def _await(self, operation: Operation, wait: float) -> Operation:
        # Never past the request's own expiry: after it, nothing can decide it (SECURITY.md 38).
        deadline = min(self._clock() + max(0.0, wait), operation.expires_at)
        current = operation
        while self._clock() < deadline:
            self._sleep(min(POLL_SECONDS, max(0.0, deadline - self._clock())))
            current = (
                self._operations.get(operation.client_id, operation.operation_id, now=self._clock())
                or current
            )
            if current.state is not OperationState.PENDING:
                break
        return current.as_of(self._clock())


def settled(operation: Operation) -> Operation:
    """An approved or still pending request; a denied, expired or cancelled one is the client's error to
    handle."""
    if operation.state is OperationState.DENIED:
        if operation.reason == NUMBER_MISMATCH:
            raise ApprovalDenied("the number entered on the device did not match; the request is denied")
        raise ApprovalDenied("the user denied the request")
    if operation.state is OperationState.EXPIRED:
        raise ApprovalTimeout("the user did not decide before the request expired")
    if operation.state is OperationState.CANCELLED:
        raise ApprovalCancelled("the request was cancelled before the user decided")
    return operation
