"""Step-up proofs: for an action an access token alone must not take (removing a key), the signed-in user
signs a fresh server challenge with one of their live keys, device key, passkey or wallet; a WebAuthn passkey
asserts the challenge's 32 bytes instead (SECURITY.md 40).

The challenge is stored bound to its purpose, its user and its target, lives five minutes and answers one
attempt (SECURITY.md 1-6). What the key signs is this text (lines joined by "\\n"), so that a signature for
one purpose, user or target is worth nothing for another, nor for a sign-in (SECURITY.md 35):

    assent-step-up/v1
    purpose:<key.revoke>
    user:<user id>
    target:<what the action is taken on: the key reference>
    challenge:<64 hex digits>
    expires:<ISO 8601>
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assent.core.clock import Clock, iso8601, system_clock
from assent.core.errors import StepUpRefused
from assent.crypto.named_keys import named_key

if TYPE_CHECKING:
    from assent.crypto.wallets import RecoverSigner
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.transactions import Write
    from assent.repositories.users import UsersRepository
    from assent.services.passkeys import Passkeys

FORMAT = "assent-step-up/v1"
CHALLENGE_SECONDS = 300  # SECURITY.md 5
KEY_REVOKE = "key.revoke"
KEY_ADD = "key.add"  # its target is the user: a key to add has no name before it is registered


@dataclass(frozen=True)
class StepUpChallenge:
    challenge_data: str
    message: str  # the exact text to sign
    expires_at: int


@dataclass(frozen=True)
class StepUpProof:
    """A key's signature of a step-up challenge's message, as the client sends it."""

    challenge_data: str
    public_key: str  # x‖y hex of the P-256 key that signed, or the wallet's address ("" for a credential)
    signature: str
    credential: Mapping[str, Any] | None = None  # a WebAuthn passkey's assertion of the challenge's bytes


@dataclass(frozen=True)
class Signer:
    """The key that proved a step-up, and the write, for the action's own transaction, that checks it is
    still a live key of the user (for a WebAuthn passkey, recording its use too)."""

    ref: str
    write: Write


def step_up_message(purpose: str, user_id: str, target: str, challenge_data: str, expires_at: int) -> str:
    return "\n".join(
        [
            FORMAT,
            f"purpose:{purpose}",
            f"user:{user_id}",
            f"target:{target}",
            f"challenge:{challenge_data}",
            f"expires:{iso8601(expires_at * 1000)}",
        ]
    )


def _pk(challenge_data: str) -> str:
    return f"step-up#{challenge_data}"


class StepUp:
    def __init__(
        self,
        challenges: ProofsRepository,
        users: UsersRepository,
        recover: RecoverSigner,
        passkeys: Callable[[], Passkeys],
        clock: Clock = system_clock,
    ) -> None:
        self._challenges = challenges
        self._users = users
        self._recover = recover
        self._passkeys = passkeys  # built on first use: only a WebAuthn proof loads its verifier
        self._clock = clock

    def challenge(self, user_id: str, purpose: str, target: str) -> StepUpChallenge:
        """A fresh challenge for `user_id` to take the action `purpose` on `target`."""
        now = int(self._clock())
        data = secrets.token_hex(32)  # SECURITY.md 1
        expires_at = now + CHALLENGE_SECONDS
        message = step_up_message(purpose, user_id, target, data, expires_at)
        self._challenges.put(
            _pk(data),
            {"purpose": purpose, "user_id": user_id, "target": target, "message": message},
            expires_at=expires_at,
            now=now,
        )
        return StepUpChallenge(data, message, expires_at)

    def signer(self, user_id: str, purpose: str, target: str, proof: StepUpProof) -> Signer:
        """The key that signed this challenge for this user, purpose and target; the challenge is used up
        first, whatever follows."""
        key = named_key(proof.public_key, self._recover) if proof.credential is None else None
        challenge = self._challenges.consume(_pk(proof.challenge_data), now=int(self._clock()))
        refused = StepUpRefused("the proof does not hold: ask for a new challenge and sign it")
        if challenge is None or (
            challenge.fields.get("purpose"),
            challenge.fields.get("user_id"),
            challenge.fields.get("target"),
        ) != (purpose, user_id, target):
            raise refused
        if key is None:
            assert proof.credential is not None  # noqa: S101 (no named key: a credential)
            passkey = self._passkeys().proof(proof.credential, proof.challenge_data, user_id, refused)
            return Signer(passkey.ref, passkey.write)
        if not key.signed(str(challenge.fields["message"]), proof.signature):
            raise refused
        return Signer(key.ref, self._users.live_key_check_item(key.ref, user_id).refused_with(refused))
