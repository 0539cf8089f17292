"""Sessions as the domain sees them: the credentials a sign-in hands out and the refresh-token family kept."""

from __future__ import annotations

from dataclasses import dataclass

from assent.model.users import User


@dataclass(frozen=True)
class Credentials:
    access_token: str
    access_expires_at: int
    refresh_token: str


@dataclass(frozen=True)
class SignedInAccount:
    """A user who has just proved a key, and the session that began."""

    user: User
    credentials: Credentials


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
    # Marks of the last ROTATED_REMEMBERED tokens this family issued and rotated since, newest first: only
    # these count as reuse (SECURITY.md 32).
    rotated: tuple[str, ...] = ()

    def live_at(self, now: float) -> bool:
        return self.revoked_at is None and now < self.expires_at and now < self.idle_expires_at

    def issued_and_rotated(self, digest: str) -> bool:
        """Whether a token with this digest was this family's once: a replay, not a guess."""
        return rotated_mark(digest) in self.rotated


# A key has at most this many live sessions: a new sign-in ends the oldest beyond them.
MAX_SESSIONS_PER_KEY = 20

# A family remembers this many rotated tokens: one replayed after more rotations than that is refused, but
# ends nothing, and the family's item stays small.
ROTATED_REMEMBERED = 32


def rotated_mark(digest: str) -> str:
    """What a family keeps of a rotated token: half its SHA-256 (128 bits), so that replays are recognised
    and no guess is."""
    return digest[:32]
