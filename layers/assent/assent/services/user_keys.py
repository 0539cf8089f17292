"""A user's own keys: listed, and revoked with a fresh proof by a live key, never the last live one;
revoking a key ends every session it began (SECURITY.md 25, 33, 35)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import InvalidKey as InvalidKeyText
from assent.core.errors import KeyNotFound, KeyTaken, LastKey
from assent.crypto.named_keys import checksummed
from assent.crypto.p256 import InvalidKey as MalformedKey
from assent.crypto.p256 import public_key
from assent.model.passkeys import PASSKEY_ID_PATTERN, passkey_key
from assent.model.users import KeyRecord, device_key, is_wallet_address, wallet_key
from assent.repositories.transactions import transact
from assent.services.step_up import KEY_ADD, KEY_REVOKE, StepUpChallenge, StepUpProof

if TYPE_CHECKING:
    from assent.adapters.push import MobilePush
    from assent.repositories.sessions import SessionsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.enrolment import NewKey
    from assent.services.step_up import StepUp


class _Revoked(Exception):
    """The key was not live, or not this user's: which of the two, a read says."""


def key_ref(key_id: str) -> str:
    """The reference of the key a URL names: a P-256 public key (x‖y hex), a wallet address, or an EdDSA or
    RS256 passkey's credential digest (64 hex digits)."""
    try:
        if is_wallet_address(key_id):
            return wallet_key(checksummed(key_id))
        if re.fullmatch(PASSKEY_ID_PATTERN, key_id):
            return passkey_key(key_id)
        return device_key(public_key(key_id).fingerprint)
    except (InvalidKeyText, MalformedKey) as error:
        raise KeyNotFound("no such key") from error


class UserKeys:
    def __init__(
        self,
        users: UsersRepository,
        sessions: SessionsRepository,
        step_up: StepUp,
        clock: Clock = system_clock,
        push: MobilePush | None = None,
    ) -> None:
        self._push = push
        self._users = users
        self._sessions = sessions
        self._step_up = step_up
        self._clock = clock

    def list(self, user_id: str) -> list[KeyRecord]:
        return sorted(self._users.keys_of(user_id), key=lambda key: key.created_at)

    def edit_device(
        self, user_id: str, key_id: str, changes: dict[str, str], push_token: str | None
    ) -> KeyRecord:
        """What one of the user's live keys' device says of itself, changed (the fields given replace theirs),
        and the token pushes reach it by (stored; never shown)."""
        key = self._users.key(key_ref(key_id))
        if key is None or key.user_id != user_id or not key.live:
            raise KeyNotFound("no such key")
        device = {**(key.device or {}), **changes}
        # Registered with SNS here, once per token change, so that a push needs no call but the push itself.
        endpoint = (
            self._push.register(push_token, device.get("osName"))
            if push_token is not None and self._push is not None and self._push.enabled
            else None
        )
        if not self._users.edit_device(key, device, push_token, endpoint):
            raise KeyNotFound("no such key")
        return replace(key, device=device or None)

    def addition_challenge(self, user_id: str) -> StepUpChallenge:
        """What one of the user's live keys signs to add a key to the account."""
        return self._step_up.challenge(user_id, KEY_ADD, user_id)

    def add(self, user_id: str, key: NewKey, proof: StepUpProof) -> KeyRecord:
        """Register one more key for the user, proved by a live key's answer to a `key.add` challenge: an
        access token alone adds no key, or whoever held one for a moment could keep a way in."""
        signer = self._step_up.signer(user_id, KEY_ADD, user_id, proof)
        record = key.record(user_id, int(self._clock()))
        taken = KeyTaken("this key is registered already")
        transact(
            self._users.client,
            [
                *self._users.add_key_items(record, key_taken=taken),
                self._users.count_live_keys_item(user_id, 1),
                signer.write,
            ],
        )
        return record

    def revocation_challenge(self, user_id: str, key_id: str) -> StepUpChallenge:
        """What one of the user's live keys signs to revoke `key_id`."""
        return self._step_up.challenge(user_id, KEY_REVOKE, key_ref(key_id))

    def revoke(self, user_id: str, key_id: str, proof: StepUpProof) -> int:
        """Revoke one of the user's keys, proved by a live key's signature of a `key.revoke` challenge for
        it, and end its sessions; returns how many ended. The last live key stays: a lost device is what
        recovery is for. Revoking a revoked key again ends the sessions an interrupted first revocation
        left (SECURITY.md 33)."""
        ref = key_ref(key_id)
        signer = self._step_up.signer(user_id, KEY_REVOKE, ref, proof)
        now = int(self._clock())
        writes = [
            # The key first: from this moment it can neither sign in, nor approve, nor refresh a session.
            self._users.revoke_key_item(ref, user_id, now=now).refused_with(_Revoked()),
            self._users.count_live_keys_item(user_id, -1).refused_with(
                LastKey("this is your last live key: register another before removing it")
            ),
        ]
        if signer.ref != ref:  # a key proving its own removal is checked by the revocation's condition
            writes.append(signer.write)
        try:
            transact(self._users.client, writes)
        except _Revoked:
            key = self._users.key(ref)
            if key is None or key.user_id != user_id:
                raise KeyNotFound("no such key") from None
        return self._sessions.revoke_for_key(ref, now=now, reason="key-revoked")
