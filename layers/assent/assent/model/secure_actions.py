"""Secure actions (Metasky): a one-time code for one order, and the states it passes through."""

from __future__ import annotations

from dataclasses import dataclass

PURPOSE = "secure-action"
MODE = "email"
CODE_SECONDS = 600  # SECURITY.md 5: e-mailed codes live at most ten minutes
MAX_ATTEMPTS = 5
# The states stored; `locked` and `expired` are derived when an action is read.
PENDING = "pending"
VERIFIED = "verified"


@dataclass(frozen=True)
class SecureAction:
    secure_action_uuid: str
    order_uuid: str
    user_id: str
    state: str  # pending, verified, locked or expired, as of when it was read
    email: str
    created_ms: int
    expires_at: int
    attempts: int = 0
    order_type: str | None = None
    verified_ms: int | None = None
    verified_by: str | None = None  # the public id of the client key that submitted the code

    @property
    def identifier(self) -> str:
        return mask_email(self.email)


def mask_email(email: str) -> str:
    """Enough of an address for its owner to recognise it, not enough to give it away: r****r@metasky.ai."""
    local, _, domain = email.partition("@")
    shown = local[0] + "*" * max(len(local) - 2, 1) + local[-1] if len(local) > 1 else local + "***"
    return f"{shown}@{domain}"
