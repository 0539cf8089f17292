"""A user's own keys: listed, and revoked; revoking a key ends every session it began (SECURITY.md 25)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import KeyNotFound
from assent.crypto.eip55 import InvalidAddress, to_checksum_address
from assent.crypto.p256 import InvalidKey, public_key
from assent.model.users import KeyRecord, device_key, is_wallet_address, wallet_key

if TYPE_CHECKING:
    from assent.repositories.sessions import SessionsRepository
    from assent.repositories.users import UsersRepository


def key_ref(key_id: str) -> str:
    """The reference of the key a URL names: a P-256 public key (x‖y hex) or a wallet address."""
    try:
        if is_wallet_address(key_id):
            return wallet_key(to_checksum_address(key_id))
        return device_key(public_key(key_id).fingerprint)
    except (InvalidAddress, InvalidKey) as error:
        raise KeyNotFound("no such key") from error


class UserKeys:
    def __init__(
        self, users: UsersRepository, sessions: SessionsRepository, clock: Clock = system_clock
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._clock = clock

    def list(self, user_id: str) -> list[KeyRecord]:
        return sorted(self._users.keys_of(user_id), key=lambda key: key.created_at)

    def revoke(self, user_id: str, key_id: str) -> int:
        """Revoke one of the user's keys and its sessions; returns how many sessions ended. Revoking a revoked
        key again ends the sessions an interrupted first revocation left (SECURITY.md 33)."""
        ref = key_ref(key_id)
        now = int(self._clock())
        # The key first: from this moment it can neither sign in, nor approve, nor refresh a session it began.
        self._users.revoke_key(ref, user_id, now=now)
        return self._sessions.revoke_for_key(ref, now=now, reason="key-revoked")
