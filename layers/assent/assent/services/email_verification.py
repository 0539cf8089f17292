"""E-mail verification: a 6-digit code e-mailed through SES, tried a few times at most, accepted once; the
address is claimed for the user in the same write that marks it verified (SECURITY.md 34). Wrong codes count
towards the user's lock-out of e-mailed codes, across codes (SECURITY.md 28)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import CodeLocked, EmailTaken, InvalidCode, NotFound
from assent.crypto.codes import CodeHasher, new_code
from assent.model.lockout import Factor
from assent.repositories.proofs import ProofsRepository
from assent.repositories.transactions import transact

if TYPE_CHECKING:
    from assent.model.users import User
    from assent.repositories.users import UsersRepository
    from assent.services.lockout import Lockout
    from assent.services.mail_budget import MailBudget

PURPOSE = "email-verification"
CODE_SECONDS = 600  # SECURITY.md 5: e-mailed codes live at most ten minutes
MAX_ATTEMPTS = 5
RESEND_AFTER_SECONDS = 60


class _UserRefused(Exception):
    """The user's item refused the write: a locked factor, or an address no longer the user's."""


def _pk(user_id: str) -> str:
    return f"{PURPOSE}#{user_id}"


class EmailVerification:
    def __init__(
        self,
        codes: ProofsRepository,
        users: UsersRepository,
        hasher: CodeHasher,
        mailer: MailBudget,
        lockout: Lockout,
        clock: Clock = system_clock,
    ) -> None:
        self._codes = codes
        self._users = users
        self._hasher = hasher
        self._mailer = mailer
        self._lockout = lockout
        self._clock = clock

    def send(self, user: User) -> None:
        """E-mail a new code, which replaces any earlier one; at most one a minute (SECURITY.md 21), within
        the address's mail budget (TooManyRequests beyond it, SECURITY.md 37)."""
        now = int(self._clock())
        code = new_code()
        self._codes.put(
            _pk(user.user_id),
            {
                "code_digest": self._hasher.digest(PURPOSE, user.user_id, code),
                "email": user.email,
                "attempts": 0,
            },
            expires_at=now + CODE_SECONDS,
            now=now,
            resend_after=RESEND_AFTER_SECONDS,
        )
        # No text the user wrote (a name) goes into mail, where it sits above a genuine code (SECURITY.md 37).
        self._mailer.send_or_refuse(
            user.email,
            "Your verification code",
            f"Your verification code is {code}. It is valid for {CODE_SECONDS // 60} minutes.\n\n"
            "If you did not ask for it, ignore this message.\n",
        )

    def resend(self, user_id: str) -> bool:
        """Send a new code unless the address is verified already; returns whether it is."""
        user = self._users.get(user_id)
        if user is None:
            raise NotFound("no such user")
        if not user.email_verified:
            self.send(user)
        return user.email_verified

    def verify(self, user_id: str, code: str) -> None:
        """Mark the user's e-mail verified if `code` is the one sent; the attempt is counted first."""
        now = int(self._clock())
        pk = _pk(user_id)
        wrong = InvalidCode("the code is wrong or has expired")
        record = self._codes.count_attempt(
            pk,
            now=now,
            max_attempts=MAX_ATTEMPTS,
            used_up=CodeLocked("too many wrong codes: ask for a new one"),
            unusable=wrong,
        )
        if not self._hasher.matches(PURPOSE, user_id, code, record.fields["code_digest"]):
            raise self._lockout.failed(user_id, Factor.EMAILED_CODE, wrong)
        email = str(record.fields["email"])
        # Another attempt (or a resend) may get there between the count and now: this one then proves nothing.
        # An address another account verified first (a provider-verified sign-up, say) stays theirs: the
        # code proves the mailbox, and whoever reads it is told.
        # The user's write also holds only while e-mailed codes are not locked out, and ends their run.
        try:
            transact(
                self._codes.client,
                [
                    self._codes.consume_item(pk, now=now, attempts=record.attempts).refused_with(wrong),
                    self._users.proved_item(
                        user_id, Factor.EMAILED_CODE, now=now, verified_email=email
                    ).refused_with(_UserRefused()),
                    self._users.claim_email_item(user_id, email).refused_with(
                        EmailTaken("another account has verified this address")
                    ),
                ],
            )
        except _UserRefused:
            self._lockout.refuse_if_closed_for(user_id, Factor.EMAILED_CODE)
            raise wrong from None
