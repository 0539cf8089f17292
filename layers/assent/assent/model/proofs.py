"""Single-use proofs as the flows see them: a deadline, the attempts made on it, and what the flow kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Proof:
    """A challenge, step token, e-mailed code or waiting key, as stored.

    `fields` holds what the flow that issued it kept there (a code's digest as bytes, the key waiting, the
    address a message was made for); each flow reads back only the names it wrote.
    """

    pk: str
    issued_at: int
    expires_at: int
    attempts: int
    fields: Mapping[str, Any]

    def used_up(self, now: float, max_attempts: int) -> bool:
        """Live, but every attempt it allows has been made."""
        return now < self.expires_at and self.attempts >= max_attempts
