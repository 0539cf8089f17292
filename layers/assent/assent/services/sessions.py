"""Sessions: a short-lived access token and an opaque refresh token that rotates on every use.

A session is a family of refresh tokens. The family's item holds the digest of its one current token and
marks of the tokens it rotated; presenting one of those again means a rotated token is being replayed, and
the whole family is revoked (SECURITY.md 24, RFC 9700 §4.14.2). Any other secret is refused and ends nothing
(SECURITY.md 32).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.config import TokenSettings
from assent.core.errors import InvalidRefreshToken, InvalidToken
from assent.model.sessions import MAX_SESSIONS_PER_KEY, Credentials, Session
from assent.repositories.transactions import transact

if TYPE_CHECKING:
    from assent.crypto.tokens import Tokens
    from assent.repositories.sessions import SessionsRepository
    from assent.repositories.users import UsersRepository

_REFRESH_TOKEN = re.compile(r"^rt_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$")


def digest(secret: str) -> str:
    # The secret carries 256 random bits, so a plain digest cannot be brute-forced; only it is stored.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class _Replayed(InvalidRefreshToken):
    """The token was rotated by a refresh that committed first."""


class _KeyRevoked(InvalidRefreshToken):
    """The key that began the session is no longer live."""


class SessionsService:
    def __init__(
        self,
        repository: SessionsRepository,
        users: UsersRepository,
        tokens: Tokens,
        settings: TokenSettings,
        clock: Clock = system_clock,
    ) -> None:
        self._repository = repository
        self._users = users
        self._tokens = tokens
        self._settings = settings
        self._clock = clock

    def start(self, user_id: str, key: str) -> Credentials:
        """A new session for a user who has just proved `key` (e.g. `wallet#0xAb…`); the key's oldest live
        sessions beyond MAX_SESSIONS_PER_KEY end (SECURITY.md 33)."""
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
        # The index may not show the new session yet (it is eventually consistent), and then the key keeps one
        # more for a moment; the next sign-in ends it.
        self._repository.end_oldest_beyond(key, MAX_SESSIONS_PER_KEY, now=now)
        return self._credentials(user_id, family_id, secret)

    def refresh(self, refresh_token: str) -> Credentials:
        """A new pair for the current refresh token, while the key that began the session is live; replaying
        an earlier one revokes the session."""
        match = _REFRESH_TOKEN.match(refresh_token)
        if match is None:
            raise InvalidRefreshToken("the refresh token is not valid")
        family_id, secret = match.groups()
        now = int(self._clock())
        presented = digest(secret)
        family = self._repository.get(family_id)
        if family is None or not family.live_at(now):
            raise InvalidRefreshToken("the refresh token is not valid")
        if not hmac.compare_digest(family.current_digest, presented):
            if family.issued_and_rotated(presented):
                # A token this live family issued, and rotated since, came back: it was copied. A secret the
                # family never issued is only a wrong token, and ends nothing (SECURITY.md 32).
                self._repository.revoke(family_id, now=now, reason="reuse")
            raise InvalidRefreshToken("the refresh token is not valid")
        next_secret = _new_secret()
        rotate = self._repository.rotate_item(
            family,
            next_digest=digest(next_secret),
            idle_expires_at=now + self._settings.refresh_idle_seconds,
            now=now,
        )
        try:
            # The key is checked in the rotation's own transaction: once it is revoked, no session it began
            # refreshes, whether or not the revocation's sweep has reached it (SECURITY.md 33).
            transact(
                self._repository.client,
                [
                    rotate.refused_with(_Replayed("the refresh token is not valid")),
                    self._users.live_key_check_item(family.key, family.user_id).refused_with(
                        _KeyRevoked("the refresh token is not valid")
                    ),
                ],
            )
        except _Replayed:
            # Another refresh with this same token won the race: this one is a replay of a rotated token.
            self._repository.revoke(family_id, now=now, reason="reuse")
            raise
        except _KeyRevoked:
            self._repository.revoke(family_id, now=now, reason="key-revoked")
            raise
        return self._credentials(family.user_id, family_id, next_secret)

    def require_live(self, family_id: str | None) -> None:
        """Refuse an access token whose session has ended (revoked, reused, expired) without waiting out the
        token's own minutes: the routes that read or change what a user's keys may do call this."""
        family = self._repository.get(family_id) if family_id else None
        if family is None or not family.live_at(self._clock()):
            raise InvalidToken("the session has ended")

    def _credentials(self, user_id: str, family_id: str, secret: str) -> Credentials:
        access = self._tokens.issue_access(user_id, sid=family_id)
        return Credentials(access.token, access.expires_at, f"rt_{family_id}.{secret}")
