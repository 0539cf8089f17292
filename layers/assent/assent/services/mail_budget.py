"""Mail to one address is limited, across every flow that sends it (SECURITY.md 37): at most 5 an hour and 20
a day, so that neither `recover` nor a resend can make the service a mail cannon aimed at someone's inbox.

The counters are the rate-limits table's fixed windows, keyed by a digest of the address (the table holds no
addresses); both are taken in one transaction before the mail is sent, and a mail over either is not sent.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import TooManyRequests
from assent.core.observability import logger
from assent.model.limits import Limit
from assent.repositories.transactions import TransactionCancelled, transact

if TYPE_CHECKING:
    from assent.adapters.mail import Mailer
    from assent.repositories.rate_limits import RateLimitsRepository

PER_HOUR = Limit(5, 3600)
PER_DAY = Limit(20, 86_400)


class _OverBudget(Exception):
    pass


class MailBudget:
    """Sends mail as `Mailer` does, within each address's budget."""

    def __init__(self, mailer: Mailer, limits: RateLimitsRepository, clock: Clock = system_clock) -> None:
        self._mailer = mailer
        self._limits = limits
        self._clock = clock

    def send(self, to: str, subject: str, text: str) -> bool:
        """Send the mail unless the address has had its hour's or day's; whether it was sent."""
        scope = "mail#" + hashlib.sha256(to.strip().lower().encode("utf-8")).hexdigest()
        now = self._clock()
        try:
            transact(
                self._limits.client,
                [
                    self._limits.take_item(f"{scope}#hour", PER_HOUR, now=now).refused_with(_OverBudget()),
                    self._limits.take_item(f"{scope}#day", PER_DAY, now=now).refused_with(_OverBudget()),
                ],
            )
        except (_OverBudget, TransactionCancelled):
            logger.info("mail over the address's budget: not sent", extra={"subject": subject})
            return False
        self._mailer.send(to, subject, text)
        return True

    def send_or_refuse(self, to: str, subject: str, text: str) -> None:
        """`send`, for a flow whose caller is told when the budget is spent: TooManyRequests then."""
        if not self.send(to, subject, text):
            raise TooManyRequests("too many e-mails to this address for now: try again later")
