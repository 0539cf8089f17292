"""Account recovery for a user who has lost every device: an e-mailed code, proof of a new key, and a
cooling-off period during which any registered device sees the request and can stop it.

start   → whatever the address, the same answer: a recovery id. Only if an account has that address, and
          may still recover, is a code e-mailed (at most one a minute), bound to the id and to the new key.
confirm → the code (attempts counted first, 5 at most) and the new key's signature of the recovery id.
          Wrong codes count towards the account's lock-out of recovery codes, and at most 10 count in 24
          hours; then recovery is refused until the window ends (SECURITY.md 28).
          The cooling-off begins: an `account.recovery` operation appears among the user's pending
          operations, and the address is told when the recovery will complete.
finish  → after the cooling-off (or at once, if a registered device approved), the new key's signature
          of a fresh challenge registers the key and signs it in. A device that denied stops it for good.

An attacker who holds the mailbox alone must still wait out the cooling-off in plain view of the user's
devices and of the mailbox's owner; one who holds neither learns nothing, not even whether the account
exists (SECURITY.md 26): `start` answers alike, and never sooner than a fixed time, so that the write and
the mail a real account costs do not show in the answer's timing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assent.core.clock import Clock, Sleep, iso8601, system_clock, system_sleep, wait_out
from assent.core.errors import (
    CodeLocked,
    FactorLocked,
    InvalidCode,
    OperationNotFound,
    RecoveryCoolingOff,
    RecoveryDenied,
    ResendTooSoon,
    SignInFailed,
)
from assent.core.observability import logger
from assent.crypto.codes import CodeHasher, new_code
from assent.model.lockout import Factor
from assent.model.operations import OperationState, Purpose
from assent.model.sessions import SignedInAccount
from assent.model.users import InvalidEmail, normalise_email
from assent.repositories.transactions import transact
from assent.services.enrolment import Consent, KeyEnrolment, NewKey, Possession

if TYPE_CHECKING:
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.lockout import Lockout
    from assent.services.mail_budget import MailBudget

PURPOSE = "account-recovery"
CODE_SECONDS = 600  # SECURITY.md 5
MAX_ATTEMPTS = 5
RESEND_AFTER_SECONDS = 60
# `start` answers no sooner than this, whatever the address: far above what the write and the SES send of a
# real account take (tens of milliseconds each), so that its timing says nothing (SECURITY.md 26).
START_ANSWER_SECONDS = 1.0
# A recovery waits out its cooling-off as an operation any registered device may deny (or approve, to end
# it early); once cooled off, it stays ready to finish for a day.
RECOVERY = Consent(
    purpose=Purpose.RECOVERY,
    proof_purpose=PURPOSE,
    prefix="recovery",
    finish_seconds=86_400,
    unknown="no such recovery",
)


def _refused() -> FactorLocked:
    return FactorLocked("too many failed recovery codes: recovery is refused for now")


@dataclass(frozen=True)
class Started:
    recovery_id: str
    expires_at: int


@dataclass(frozen=True)
class Confirmed:
    available_at: int
    challenge_data: str
    number: str  # what the new device shows: approving the recovery early takes it


class Recovery:
    def __init__(
        self,
        *,
        users: UsersRepository,
        proofs: ProofsRepository,
        hasher: CodeHasher,
        mailer: MailBudget,
        enrolment: KeyEnrolment,
        lockout: Lockout,
        cooling_off_seconds: int,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
    ) -> None:
        self._users = users
        self._proofs = proofs
        self._hasher = hasher
        self._mailer = mailer
        self._enrolment = enrolment
        self._lockout = lockout
        self._cooling_off = cooling_off_seconds
        self._clock = clock
        self._sleep = sleep

    def start(self, email: str, key: NewKey) -> Started:
        """A recovery id, whether or not an account has this address, after the same time; the code goes
        only to a real one."""
        key.fingerprint  # noqa: B018 (a malformed key is refused, whatever the address)
        began = self._clock()
        started = self._start(email, key, now=int(began))
        spent = wait_out(self._clock, self._sleep, began=began, seconds=START_ANSWER_SECONDS)
        if spent > START_ANSWER_SECONDS:
            logger.warning("recovery start took longer than its fixed answer time", extra={"seconds": spent})
        return started

    def _start(self, email: str, key: NewKey, *, now: int) -> Started:
        recovery_id = secrets.token_hex(32)
        started = Started(recovery_id, now + CODE_SECONDS)
        try:
            address = normalise_email(email)
        except InvalidEmail:
            return started
        user_id = self._users.user_id_by_email(address)
        code = new_code()
        # The digest is made either way, so that an unknown address costs the same KMS call as a known one.
        digest = self._hasher.digest(PURPOSE, recovery_id, code)
        if user_id is None:
            return started
        # The per-account throttle and the recovery are one transaction: one round trip, and never a
        # throttle left standing without the recovery it stood for.
        throttle = self._proofs.once_per_item(
            f"recover-user#{user_id}", RESEND_AFTER_SECONDS, now=now
        ).refused_with(ResendTooSoon("one recovery code a minute per account"))
        # Too many failed codes in the account's window, or recovery codes locked out: no code is sent.
        may_recover = self._users.recovery_open_item(user_id, now=now).refused_with(
            ResendTooSoon("recovery is refused for now")
        )
        recovery = self._proofs.put_item(
            f"recover#{recovery_id}",
            {
                "purpose": PURPOSE,
                "user_id": user_id,
                "email": address,
                "code_digest": digest,
                "attempts": 0,
                **key.attributes(),
            },
            expires_at=started.expires_at,
            now=now,
        )
        try:
            transact(self._proofs.client, [throttle, may_recover, recovery])
        except ResendTooSoon:
            return started  # silently: the answer must not differ
        self._mailer.send(
            address,
            "Your account recovery code",
            f"Someone asked to recover the account of this address on a new device.\n\n"
            f"If it was you, your code is {code}. It is valid for {CODE_SECONDS // 60} minutes.\n\n"
            "If it was not you, ignore this message: without the code nothing happens.\n",
        )
        return started

    def confirm(self, recovery_id: str, code: str, possession: Possession) -> Confirmed:
        """Check the code and the new key's answer to the recovery id (its signature of the text, or a
        passkey's assertion of its bytes); the cooling-off begins."""
        now = int(self._clock())
        pk = f"recover#{recovery_id}"
        wrong = InvalidCode("the code is wrong or has expired")
        record = self._proofs.count_attempt(
            pk,
            now=now,
            max_attempts=MAX_ATTEMPTS,
            used_up=CodeLocked("too many wrong codes: start again"),
            unusable=wrong,
        )
        user_id = str(record.fields["user_id"])
        if not self._hasher.matches(PURPOSE, recovery_id, code, record.fields["code_digest"]):
            if not self._users.count_recovery_failure(user_id, now=now):
                raise _refused()  # the window is full: right and wrong codes alike learn nothing now
            raise self._lockout.failed(user_id, Factor.RECOVERY_CODE, wrong)
        new_key = possession(NewKey.stored(record.fields), recovery_id)
        if new_key is None:
            raise SignInFailed("the signature does not prove the new key")
        consent = self._enrolment.request(
            RECOVERY,
            recovery_id,
            user_id=user_id,
            key=new_key,
            lifetime_seconds=self._cooling_off,
            now=now,
        )
        consume = self._proofs.consume_item(pk, now=now, attempts=record.attempts)
        # The account may still recover, its recovery codes are not locked out, and their run ends.
        proved = self._users.proved_item(user_id, Factor.RECOVERY_CODE, now=now, recovering=True)
        try:
            transact(
                self._proofs.client,
                [consume.refused_with(wrong), proved.refused_with(_refused()), *consent.writes],
            )
        except FactorLocked:
            self._lockout.refuse_if_closed_for(user_id, Factor.RECOVERY_CODE)
            raise
        self._mailer.send(
            str(record.fields["email"]),
            "Your account is being recovered",
            "A new device has proved this address and will be able to sign in to your account "
            f"at {iso8601(consent.operation.expires_at * 1000)}.\n\n"
            "If it is not yours, deny the recovery from a device you are signed in on before then.\n",
        )
        return Confirmed(consent.operation.expires_at, consent.challenge, str(consent.operation.number))

    def finish(self, recovery_id: str, possession: Possession) -> SignedInAccount:
        """Register the new key once the cooling-off is over (or a device approved), and sign it in."""
        now = int(self._clock())
        operation = self._enrolment.operation(RECOVERY, recovery_id, now=now)
        state = operation.state_at(now)
        if state is OperationState.PENDING:
            raise RecoveryCoolingOff(f"the recovery completes at {iso8601(operation.expires_at * 1000)}")
        if state not in (OperationState.APPROVED, OperationState.EXPIRED):
            raise RecoveryDenied("a registered device denied this recovery")
        return self._enrolment.complete(
            RECOVERY,
            operation,
            possession,
            now=now,
            gone=lambda: OperationNotFound("no such recovery"),
        )
