"""Secure actions (Metasky): a one-time code for one order, and the states it passes through."""

from __future__ import annotations

from dataclasses import dataclass, replace

PURPOSE = "secure-action"
MODE = "email"
CODE_SECONDS = 600  # SECURITY.md 5: e-mailed codes live at most ten minutes
MAX_ATTEMPTS = 5
# The states stored; `locked` and `expired` are derived when an action is read.
PENDING = "pending"
VERIFIED = "verified"


@dataclass(frozen=True)
class SecureAction:
    """An order's current secure action, as stored (`state` is pending or verified); `as_of` derives
    locked and expired."""

    secure_action_uuid: str
    order_uuid: str
    user_id: str
    state: str
    email: str
    created_ms: int
    expires_at: int
    retain_until: int  # when TTL may remove it; nothing reads it after
    attempts: int = 0
    code_digest: bytes | None = None  # dropped once verified
    order_type: str | None = None  # as init named it (the user was told), or else as verify named it
    reference: str | None = None  # what the client told the user the code confirms, in the mail
    verified_ms: int | None = None
    verified_by: str | None = None  # the public id of the client key that submitted the code

    @property
    def identifier(self) -> str:
        return mask_email(self.email)

    def state_at(self, now: float) -> str:
        """pending, verified, locked (every attempt made) or expired (SECURITY.md 4, 20)."""
        if self.state == PENDING and self.attempts >= MAX_ATTEMPTS:
            return "locked"
        if self.state == PENDING and self.expires_at <= now:
            return "expired"
        return self.state

    def as_of(self, now: float) -> SecureAction:
        return replace(self, state=self.state_at(now))


def mask_email(email: str) -> str:
    """Enough of an address for its owner to recognise it, not enough to give it away: r****r@metasky.ai."""
    local, _, domain = email.partition("@")
    shown = local[0] + "*" * max(len(local) - 2, 1) + local[-1] if len(local) > 1 else local + "***"
    return f"{shown}@{domain}"


class AttemptNotCounted(Exception):
    """No attempt may be made on the code: `current` is the order's secure action as it stood (expired, used
    up, verified, replaced), or None if the order has none."""

    def __init__(self, current: SecureAction | None) -> None:
        super().__init__("no attempt may be made")
        self.current = current
