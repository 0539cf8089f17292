"""Sessions: a short-lived access token and an opaque refresh token that rotates on every use.

A session is a family of refresh tokens. The family's item holds the digest of its one current token and
marks of the tokens it rotated; presenting one of those again means a rotated token is being replayed, and
the whole family is revoked (SECURITY.md 24, RFC 9700 §4.14.2). Any other secret is refused and ends nothing
(SECURITY.md 32).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.config import TokenSettings
from assent.core.errors import InvalidRefreshToken
from assent.model.sessions import Credentials, NotRotated, Session

if TYPE_CHECKING:
    from assent.crypto.tokens import Tokens
    from assent.repositories.sessions import SessionsRepository

_REFRESH_TOKEN = re.compile(r"^rt_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$")


def digest(secret: str) -> str:
    # The secret carries 256 random bits, so a plain digest cannot be brute-forced; only it is stored.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class SessionsService:
    def __init__(
        self,
        repository: SessionsRepository,
        tokens: Tokens,
        settings: TokenSettings,
        clock: Clock = system_clock,
    ) -> None:
        self._repository = repository
        self._tokens = tokens
        self._settings = settings
        self._clock = clock

    def start(self, user_id: str, key: str) -> Credentials:
        """A new session for a user who has just proved `key` (e.g. `wallet#0xAb…`)."""
        now = int(self._clock())
        family_id = secrets.token_urlsafe(16)
        secret = _new_secret()
        self._repository.create(
            Session(
                family_id=family_id,
                user_id=user_id,
                key=key,
                expires_at=now + self._settings.session_lifetime_seconds,
                idle_expires_at=now + self._settings.refresh_idle_seconds,
                current_digest=digest(secret),
            )
        )
        return self._credentials(user_id, family_id, secret)

    def refresh(self, refresh_token: str) -> Credentials:
        """A new pair for the current refresh token; replaying an earlier one revokes the session."""
        match = _REFRESH_TOKEN.match(refresh_token)
        if match is None:
            raise InvalidRefreshToken("the refresh token is not valid")
        family_id, secret = match.groups()
        now = int(self._clock())
        next_secret = _new_secret()
        try:
            rotated = self._repository.rotate(
                family_id,
                presented=digest(secret),
                next_digest=digest(next_secret),
                idle_expires_at=now + self._settings.refresh_idle_seconds,
                now=now,
            )
        except NotRotated as refused:
            family = refused.session
            if family is not None and family.live_at(now) and family.issued_and_rotated(digest(secret)):
                # A token this live family issued, and rotated since, came back: it was copied. A secret the
                # family never issued is only a wrong token, and ends nothing (SECURITY.md 32).
                self._repository.revoke(family_id, now=now, reason="reuse")
            raise InvalidRefreshToken("the refresh token is not valid") from refused
        return self._credentials(rotated.user_id, family_id, next_secret)

    def _credentials(self, user_id: str, family_id: str, secret: str) -> Credentials:
        access = self._tokens.issue_access(user_id, sid=family_id)
        return Credentials(access.token, access.expires_at, f"rt_{family_id}.{secret}")
