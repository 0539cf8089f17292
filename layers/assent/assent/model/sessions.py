"""Sessions as the domain sees them: the credentials a sign-in hands out and the refresh-token family kept."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    access_token: str
    access_expires_at: int
    refresh_token: str


@dataclass(frozen=True)
class Session:
    """A family of refresh tokens as stored: whose it is and how it began."""

    family_id: str
    user_id: str
    key: str
    expires_at: int
    idle_expires_at: int
    current_digest: str
    revoked_at: int | None = None

    def live_at(self, now: float) -> bool:
        return self.revoked_at is None and now < self.expires_at and now < self.idle_expires_at
