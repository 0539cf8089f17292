"""Passkeys made by browsers and phones (WebAuthn): the options a ceremony starts from, and the responses that
finish it: a registration that makes a key, an assertion that signs in (SECURITY.md 40).

Every challenge is 32 random bytes, stored for CHALLENGE_SECONDS and consumed by the first response that names
it, right or wrong. A registration's options carry a fresh random `user.id`, which the passkey keeps and an
assertion returns; a credential id belongs to one key, claimed in the write that stores the key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from assent.core.clock import Clock, system_clock
from assent.core.errors import AssentError, InvalidRequest, SignInFailed
from assent.core.observability import logger
from assent.crypto.webauthn import (
    Assertion,
    RelyingParty,
    SignCountWentBack,
    StoredCredential,
    WebAuthnRefused,
    b64url,
    b64url_decode,
    verify_assertion,
    verify_registration,
)
from assent.model.lockout import Factor
from assent.model.passkeys import ALGORITHMS, Passkey, credential_digest
from assent.model.sessions import SignedInAccount
from assent.repositories.transactions import Write, transact
from assent.services.enrolment import NewKey, Possession

if TYPE_CHECKING:
    from assent.core.config import PasskeySettings
    from assent.model.users import KeyHolder
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.lockout import Lockout
    from assent.services.sessions import SessionsService

CHALLENGE_SECONDS = 300  # SECURITY.md 5
REGISTRATION = "passkey.register"
DEFAULT_DISPLAY_NAME = "Assent account"


@dataclass(frozen=True)
class KeyProof:
    """A passkey proved what a signature would have: the key, and the write recording its use, which must
    commit with the flow's own writes."""

    ref: str
    write: Write


@dataclass(frozen=True)
class CeremonyOptions:
    """What a browser's `navigator.credentials.create` or `get` takes, as JSON, and when it stops working."""

    options: dict[str, Any]
    expires_at: int


def _client_challenge(credential: Mapping[str, Any]) -> str:
    """The challenge a response says it answers (checked, with everything else, when it is verified)."""
    try:
        response = credential["response"]
        client_data = json.loads(b64url_decode(response["clientDataJSON"], "clientDataJSON"))
        return str(client_data["challenge"])
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidRequest("credential.response.clientDataJSON names no challenge") from error


class Passkeys:
    def __init__(
        self,
        *,
        settings: PasskeySettings,
        challenges: ProofsRepository,
        users: UsersRepository,
        sessions: SessionsService,
        lockout: Lockout,
        clock: Clock = system_clock,
    ) -> None:
        self._settings = settings
        self._rp = RelyingParty(settings.rp_id, frozenset(settings.origins))
        self._challenges = challenges
        self._users = users
        self._sessions = sessions
        self._lockout = lockout
        self._clock = clock

    def registration_options(self, display_name: str | None) -> CeremonyOptions:
        """PublicKeyCredentialCreationOptionsJSON for a new passkey: discoverable, user-verifying, no
        attestation asked."""
        now = int(self._clock())
        challenge, user_handle = secrets.token_bytes(32), secrets.token_bytes(16)
        expires_at = now + CHALLENGE_SECONDS
        self._challenges.put(
            f"passkey-reg#{b64url(challenge)}",
            {"purpose": REGISTRATION, "user_handle": user_handle},
            expires_at=expires_at,
            now=now,
        )
        name = display_name or DEFAULT_DISPLAY_NAME
        options = {
            "rp": {"id": self._settings.rp_id, "name": self._settings.rp_name},
            "user": {"id": b64url(user_handle), "name": name, "displayName": name},
            "challenge": b64url(challenge),
            "pubKeyCredParams": [{"type": "public-key", "alg": algorithm} for algorithm in ALGORITHMS],
            "timeout": CHALLENGE_SECONDS * 1000,
            "excludeCredentials": [],
            "authenticatorSelection": {
                "residentKey": "required",
                "requireResidentKey": True,
                "userVerification": "required",
            },
            "attestation": "none",
            "hints": [],
            "extensions": {"credProps": True},
        }
        return CeremonyOptions(options, expires_at)

    def new_key(self, credential: Mapping[str, Any], device: dict[str, str]) -> NewKey:
        """The key a RegistrationResponseJSON proves, once its registration challenge is consumed; refused
        with SignInFailed (the challenge is spent either way)."""
        now = int(self._clock())
        challenge = _client_challenge(credential)
        proof = self._challenges.consume(f"passkey-reg#{challenge}", now=now)
        if proof is None or proof.fields.get("purpose") != REGISTRATION:
            raise SignInFailed("the passkey answers no registration challenge issued, or one used already")
        try:
            made = verify_registration(
                credential, challenge=b64url_decode(challenge, "challenge"), rp=self._rp
            )
        except WebAuthnRefused as error:
            logger.info("passkey registration refused", extra={"reason": str(error)})
            raise SignInFailed(f"the passkey's registration does not verify: {error}") from error
        passkey = Passkey(
            credential_id=made.credential_id,
            cose_key=made.public_key,
            algorithm=made.algorithm,
            sign_count=made.sign_count,
            backup_eligible=made.backup_eligible,
            backed_up=made.backed_up,
            aaguid=made.aaguid,
            user_handle=bytes(proof.fields["user_handle"]),
            transports=made.transports,
        )
        return NewKey.of_passkey(passkey, made.p256_xy, device)

    def answered(self, credential: Mapping[str, Any]) -> Possession:
        """The possession a new passkey proves by asserting a challenge's bytes (a 2FA's or a recovery's):
        the key, with its sign count as the assertion left it, or None."""

        def possession(key: NewKey, challenge: str) -> NewKey | None:
            passkey = key.passkey
            if passkey is None:
                return None  # a key registered by its public key signs text; it has no credential
            try:
                assertion = self._asserted(credential, bytes.fromhex(challenge), passkey)
            except WebAuthnRefused:
                return None
            moved = replace(passkey, sign_count=assertion.sign_count, backed_up=assertion.backed_up)
            return replace(key, passkey=moved)

        return possession

    def request_options(self, challenge_data: str, allowed: Sequence[Passkey] = ()) -> dict[str, Any]:
        """PublicKeyCredentialRequestOptionsJSON for a sign-in challenge: its challenge is the 32 bytes the
        hex `challenge_data` stands for; with no `allowed` credentials, any of the site's passkeys answers
        (a discoverable sign-in: no username)."""
        return {
            "challenge": b64url(bytes.fromhex(challenge_data)),
            "rpId": self._settings.rp_id,
            "timeout": CHALLENGE_SECONDS * 1000,
            "userVerification": "required",
            "allowCredentials": [
                {"type": "public-key", "id": b64url(p.credential_id), "transports": list(p.transports)}
                for p in allowed
            ],
            "hints": [],
        }

    def sign_in(self, challenge_data: str, credential: Mapping[str, Any]) -> SignedInAccount:
        """Consume a sign-in challenge, check the passkey's assertion of it, record the passkey's use and sign
        its user in."""
        now = int(self._clock())
        failed = SignInFailed("the passkey does not prove this sign-in")
        # Consumed before anything is checked: a challenge answers one attempt (SECURITY.md 3).
        challenge = self._challenges.consume(f"signin#{challenge_data}", now=now)
        if challenge is None or challenge.fields.get("key_type") != "passKey":
            raise failed
        found = self._holder(credential)
        bound = challenge.fields.get("key")  # a challenge asked for one key answers for that key only
        if found is None or (bound and bound != found[0].key.ref):
            raise failed
        holder = found[0]
        try:
            proof = self._checked(credential, bytes.fromhex(challenge_data), found, failed, now=now)
        except SignInFailed as refused:
            raise self._lockout.failed(holder.user.user_id, Factor.PASSKEY, refused) from refused
        self._lockout.refuse_if_closed(holder.user, Factor.PASSKEY)
        transact(self._users.client, [proof.write])
        self._lockout.proved(holder.user, Factor.PASSKEY)
        return SignedInAccount(holder.user, self._sessions.start(holder.user.user_id, holder.key.ref))

    def proof(self, credential: Mapping[str, Any], text: str, user_id: str, refused: AssentError) -> KeyProof:
        """A WebAuthn assertion standing where a key's signature of `text` would: by a live passkey of
        `user_id`, of the bytes the hex `text` stands for (an approval's digest, a challenge). The caller
        commits the proof's write, which records the use, with its own; `refused` is raised for anything
        that does not hold, then or at that commit."""
        found = self._holder(credential)
        if found is None or found[0].user.user_id != user_id:
            raise refused
        return self._checked(credential, bytes.fromhex(text), found, refused, now=int(self._clock()))

    def _holder(self, credential: Mapping[str, Any]) -> tuple[KeyHolder, Passkey] | None:
        """The live passkey an assertion names by its credential id, with its user, and its credential."""
        try:
            raw_id = b64url_decode(credential.get("rawId"), "rawId")
        except WebAuthnRefused as error:
            raise InvalidRequest(str(error)) from error
        holder = self._users.key_by_credential(credential_digest(raw_id))
        if holder is None or holder.key.passkey is None or not holder.key.live:
            return None
        return holder, holder.key.passkey

    def _checked(
        self,
        credential: Mapping[str, Any],
        challenge: bytes,
        found: tuple[KeyHolder, Passkey],
        refused: AssentError,
        *,
        now: int,
    ) -> KeyProof:
        holder, passkey = found
        try:
            assertion = self._asserted(credential, challenge, passkey)
        except SignCountWentBack as error:
            self._users.flag_clone(holder.key, now=now)
            logger.warning("passkey sign count went back", extra={"key": holder.key.ref})
            raise refused from error
        except WebAuthnRefused as error:
            raise refused from error
        # Revoked meanwhile, or used at the same moment by another response: one use wins.
        write = self._users.passkey_used_item(
            holder.key,
            seen_count=passkey.sign_count,
            sign_count=assertion.sign_count,
            backed_up=assertion.backed_up,
            now=now,
        ).refused_with(refused)
        return KeyProof(holder.key.ref, write)

    def _asserted(self, credential: Mapping[str, Any], challenge: bytes, passkey: Passkey) -> Assertion:
        """The assertion of `challenge` by this passkey, checked in full; WebAuthnRefused, logged, if not."""
        stored = StoredCredential(
            passkey.credential_id,
            passkey.cose_key,
            passkey.sign_count,
            passkey.backup_eligible,
            passkey.user_handle,
        )
        try:
            return verify_assertion(credential, challenge=challenge, rp=self._rp, credential=stored)
        except WebAuthnRefused as error:
            logger.info("passkey assertion refused", extra={"reason": str(error)})
            raise
