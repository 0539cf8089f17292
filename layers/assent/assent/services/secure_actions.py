"""Secure actions (Metasky): a one-time code e-mailed to a user for one order, verified once by the client.

The code is 6 digits from a CSPRNG, stored only as a KMS HMAC bound to the secure action, valid for
CODE_SECONDS, tried at most MAX_ATTEMPTS times (each attempt counted before the comparison), and single use
(SECURITY.md 19-21). A new init for the order replaces the code, at most once every `resend_after_seconds`
(the SecureActionResendSeconds parameter, a minute by default).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import (
    AssentError,
    FactorLocked,
    InvalidCode,
    OrderNotFound,
    OrderTypeMismatch,
    ResendTooSoon,
    SecureActionExpired,
    SecureActionLocked,
    SecureActionSuperseded,
    SecureActionUsed,
    UserNotFound,
)
from assent.core.observability import logger
from assent.crypto.codes import CodeHasher, new_code
from assent.model.lockout import Factor
from assent.model.secure_actions import (
    CODE_SECONDS,
    MAX_ATTEMPTS,
    PENDING,
    PURPOSE,
    VERIFIED,
    AttemptNotCounted,
    SecureAction,
)
from assent.repositories.secure_actions import SecureActionsRepository, order_key
from assent.repositories.transactions import transact
from assent.services.lockout import locked

if TYPE_CHECKING:
    from assent.model.clients import Client
    from assent.model.users import User
    from assent.repositories.users import UsersRepository
    from assent.services.lockout import Lockout
    from assent.services.mail_budget import MailBudget
    from assent.services.request_limits import ApprovalRequestLimits


class SecureActions:
    def __init__(
        self,
        *,
        actions: SecureActionsRepository,
        users: UsersRepository,
        hasher: CodeHasher,
        mailer: MailBudget,
        limits: ApprovalRequestLimits,
        lockout: Lockout,
        retention_seconds: int,
        resend_after_seconds: int,
        clock: Clock = system_clock,
    ) -> None:
        self._actions = actions
        self._lockout = lockout
        self._resend_after = resend_after_seconds
        self._users = users
        self._hasher = hasher
        self._mailer = mailer
        self._limits = limits
        self._retention = retention_seconds
        self._clock = clock

    def init(
        self,
        client: Client,
        user_id: str,
        order_uuid: str,
        *,
        order_type: str | None = None,
        reference: str | None = None,
    ) -> SecureAction:
        """Issue a secure action for the order and e-mail its code, saying what it confirms (the client's
        name, and the order's type and reference when the client gives them); any earlier code for it stops
        working."""
        user = self._user(user_id)
        now = int(self._clock())
        secure_action_uuid = str(uuid.uuid4())
        code = new_code()
        pk = order_key(client.client_id, user.user_id, order_uuid)
        action = SecureAction(
            secure_action_uuid=secure_action_uuid,
            order_uuid=order_uuid,
            user_id=user.user_id,
            state=PENDING,
            email=user.email,
            created_ms=now * 1000,
            expires_at=now + CODE_SECONDS,
            retain_until=now + CODE_SECONDS + self._retention,
            code_digest=self._hasher.digest(PURPOSE, secure_action_uuid, code),
            order_type=order_type,
            reference=reference,
        )
        # The put is refused when the order's code was sent too recently, or has been verified.
        resend = ResendTooSoon(f"a code was sent for this order less than {self._resend_after} seconds ago")
        try:
            self._limits.transact(
                self._actions.client,
                [self._actions.put_item(pk, action, resend_after=self._resend_after).refused_with(resend)],
                client_id=client.client_id,
                user_id=user.user_id,
                now=now,
            )
        except ResendTooSoon as error:
            current = self._actions.get(pk)
            if current is not None and current.state == VERIFIED:
                raise SecureActionUsed("this order's secure action is verified already") from error
            raise
        self._send(user, code, client, action)
        # An audit line names the action, never its code or digest (SECURITY.md 30).
        logger.info(
            "secure action issued", extra={"order_uuid": order_uuid, "secure_action_uuid": secure_action_uuid}
        )
        return action

    def verify(
        self,
        client: Client,
        user_id: str,
        order_type: str,
        order_uuid: str,
        secure_action_uuid: str,
        code: str,
    ) -> None:
        """Accept the code once; every attempt is counted before it is compared."""
        now = int(self._clock())
        pk = order_key(client.client_id, user_id, order_uuid)
        audit = {"order_uuid": order_uuid, "secure_action_uuid": secure_action_uuid}
        try:
            counted = self._actions.count_attempt(pk, secure_action_uuid, now=now, max_attempts=MAX_ATTEMPTS)
        except AttemptNotCounted as refused:
            if refused.current is None:
                self._raise_if_unknown(user_id)
            refusal = self._refusal(refused.current, secure_action_uuid, now)
            logger.info("secure action attempt refused", extra={**audit, "reason": refusal.code})
            raise refusal from refused
        if counted.code_digest is None or not self._hasher.matches(
            PURPOSE, secure_action_uuid, code, counted.code_digest
        ):
            left = MAX_ATTEMPTS - counted.attempts
            logger.info("secure action code wrong", extra={**audit, "attempts_left": left})
            if left <= 0:
                self._actions.lock(pk, secure_action_uuid, now=now, max_attempts=MAX_ATTEMPTS)
            # The user's run of wrong codes spans every order (SECURITY.md 28).
            wrong = InvalidCode(f"invalid secure action code; {left} attempts left")
            raise self._lockout.failed(user_id, Factor.EMAILED_CODE, wrong)
        if counted.order_type is not None and counted.order_type != order_type:
            # The mail told the user what kind of order the code confirms; it confirms no other.
            raise OrderTypeMismatch(f"the code was sent for a {counted.order_type} order")
        try:
            transact(
                self._actions.client,
                [
                    # Verified, replaced or expired between the count and now.
                    self._actions.mark_verified_item(
                        pk, secure_action_uuid, now=now, order_type=order_type, key_id=client.key_id
                    ).refused_with(SecureActionUsed("the secure action is no longer pending")),
                    # E-mailed codes are not locked out for this user; their run of failures ends.
                    self._users.proved_item(user_id, Factor.EMAILED_CODE, now=now).refused_with(locked()),
                ],
            )
        except FactorLocked:
            self._lockout.refuse_if_closed_for(user_id, Factor.EMAILED_CODE)
            raise
        logger.info("secure action verified", extra=audit)

    def get(self, client: Client, user_id: str, order_uuid: str) -> SecureAction:
        """The order's current secure action, for the client to check before it acts."""
        now = self._clock()
        action = self._actions.get(order_key(client.client_id, user_id, order_uuid))
        if action is None or action.retain_until <= now:
            self._raise_if_unknown(user_id)
            raise OrderNotFound("Order not found")
        return action.as_of(now)

    def _raise_if_unknown(self, user_id: str) -> None:
        """Only where an order has no action: an action exists only for a known user, so the user is read
        just to tell USER_NOT_FOUND from ORDER_NOT_FOUND, never on the way to an answer."""
        self._user(user_id)

    def _user(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise UserNotFound("User not found")
        return user

    @staticmethod
    def _refusal(current: SecureAction | None, secure_action_uuid: str, now: int) -> AssentError:
        """Why an attempt could not be made on the order's current secure action."""
        if current is None:
            return OrderNotFound("Order not found")
        if current.secure_action_uuid != secure_action_uuid:
            return SecureActionSuperseded("this secure action was replaced by a newer one for the order")
        if current.state == VERIFIED:
            return SecureActionUsed("the secure action is verified already")
        if current.expires_at <= now:
            return SecureActionExpired("the secure action has expired")
        return SecureActionLocked("too many wrong codes: init a new secure action")

    def _send(self, user: User, code: str, client: Client, action: SecureAction) -> None:
        # No text the user wrote (a name) goes into mail, where it sits above a genuine code; what it confirms
        # is in the words of the client's registered name and its display-checked order (SECURITY.md 37).
        order = " ".join(part for part in (action.order_type, "order") if part)
        confirms = f"  {action.reference}\n" if action.reference else f"  the {order} you started\n"
        self._mailer.send_or_refuse(
            user.email,
            f"Your code for {client.name}",
            f"Your code is {code}. It confirms this {order} for {client.name}:\n\n{confirms}\n"
            f"It works once, for {CODE_SECONDS // 60} minutes. "
            "If you did not start this, give the code to no one.\n",
        )
