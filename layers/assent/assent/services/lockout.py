"""Lock-out of a factor after failures in a row (SECURITY.md 28; the rules are in model/lockout.py).

A flow that reads the user anyway asks `refuse_if_closed` and, after a success, `proved`, which writes only
when there is a run to end; a flow that does not read the user folds `UsersRepository.proved_item` into the
write it makes on success. Either way a success pays no extra round trip in the common case, and a failure
pays for its own counting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from assent.core.clock import Clock, iso8601, system_clock
from assent.core.errors import FactorDisabled, FactorLocked
from assent.core.observability import logger, metrics
from assent.model.lockout import DISABLED_AFTER, Factor, lock_seconds
from assent.repositories.transactions import transact

if TYPE_CHECKING:
    from assent.model.users import User
    from assent.repositories.users import UsersRepository
    from assent.services.mail_budget import MailBudget

# How each factor is named to the user whose factor it is.
_NAMES = {
    Factor.DEVICE_KEY: "signing in with a device key",
    Factor.PASSKEY: "signing in with a passkey",
    Factor.WALLET: "signing in with your wallet",
    Factor.EMAILED_CODE: "codes e-mailed to you",
    Factor.RECOVERY_CODE: "account recovery codes",
}


def locked() -> FactorLocked:
    return FactorLocked("too many failures in a row: try again later")


class Lockout:
    def __init__(self, users: UsersRepository, mailer: MailBudget, clock: Clock = system_clock) -> None:
        self._users = users
        self._mailer = mailer
        self._clock = clock

    def refuse_if_closed(self, user: User, factor: Factor) -> None:
        """Refuse a proof of `factor` while it is locked or disabled (the proof counts for nothing)."""
        state = user.factor(factor)
        if state.disabled:
            raise FactorDisabled(
                f"{_NAMES[factor]} is turned off after too many failures: prove another way, or ask support"
            )
        if state.locked_at(self._clock()):
            raise locked()

    def refuse_if_closed_for(self, user_id: str, factor: Factor) -> None:
        """`refuse_if_closed` for a flow that has not read the user: after a write whose lock-out condition
        failed, this read tells a locked factor from a disabled one (on that refusal only)."""
        user = self._users.get(user_id)
        if user is not None:
            self.refuse_if_closed(user, factor)

    def proved(self, user: User, factor: Factor) -> None:
        """After a success read with `user`: end the factor's run of failures, and enable factors disabled,
        if there are any (no write otherwise)."""
        if user.has_lockout_to_end(factor):
            now = int(self._clock())
            transact(
                self._users.client,
                [self._users.proved_item(user.user_id, factor, now=now).refused_with(locked())],
            )

    def failed(self, user_id: str, factor: Factor, failure: Exception) -> Exception:
        """Count a failure of `factor`; what to answer: `failure` itself, or FactorLocked when the factor was
        locked or disabled already (the attempt then counts for nothing)."""
        return failure if self.count(user_id, factor) else locked()

    def count(self, user_id: str, factor: Factor) -> bool:
        """Count a failure of `factor`, locking or disabling it as the run requires; False if it was locked
        or disabled already (the attempt then counts for nothing)."""
        now = int(self._clock())
        # A spike of these is someone guessing (docs/deploying.md#alarms): counted whatever the answer.
        metrics.add_metric(name="FactorFailures", unit=MetricUnit.Count, value=1)
        run = self._users.count_failure(user_id, factor, now=now)
        if run is None:
            return False
        seconds = lock_seconds(run)
        if seconds:
            metrics.add_metric(name="FactorsLocked", unit=MetricUnit.Count, value=1)
            self._users.lock_factor(user_id, factor, until=now + seconds, disable=run >= DISABLED_AFTER)
            # No counts or ids of the guesser: the user's own id is enough for an operator (SECURITY.md 30).
            logger.info(
                "factor locked", extra={"user_id": user_id, "factor": factor.value, "seconds": seconds}
            )
        if run == DISABLED_AFTER:
            metrics.add_metric(name="FactorsDisabled", unit=MetricUnit.Count, value=1)
            self._tell(user_id, factor, now)
        return True

    def _tell(self, user_id: str, factor: Factor, now: int) -> None:
        user = self._users.get(user_id)
        # An address never verified may be someone else's (SECURITY.md 34): it is told nothing.
        if user is None or not user.email_verified:
            return
        self._mailer.send(
            user.email,
            "A way of signing in to your account was turned off",
            f"After {DISABLED_AFTER} failed attempts in a row, {_NAMES[factor]} was turned off at "
            f"{iso8601(now * 1000)}.\n\n"
            "It comes back once you prove who you are another way (another device, your wallet, a code), "
            "or when support turns it back on.\n\n"
            "If the attempts were not yours, someone is trying to get into your account.\n",
        )
