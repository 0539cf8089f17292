"""Device keys and passkeys (Hyphen's auth API): sign up, sign in by challenge, and sign in a new device
with the approval of one already registered (2FA).

A device proves its key by signing the UTF-8 bytes of a hex challenge string (32 random bytes) with
ECDSA P-256/SHA-256; each challenge is stored bound to its purpose and key, and consumed once.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from assent.core.clock import Clock, system_clock
from assent.core.errors import (
    AccountNotFound,
    EmailTaken,
    KeyTaken,
    PleaseRegisterKey,
    SignInFailed,
    TooManyRequests,
    TwoFactorDenied,
    TwoFactorExpired,
    TwoFactorPending,
)
from assent.core.observability import logger
from assent.crypto.p256 import public_key
from assent.model.lockout import Factor
from assent.model.operations import Operation, OperationState, Purpose
from assent.model.passkeys import Passkey
from assent.model.sessions import SignedInAccount
from assent.model.users import KeyHolder, User, device_key, new_user_id
from assent.repositories.transactions import transact
from assent.services.enrolment import Consent, KeyEnrolment, NewKey, Possession

if TYPE_CHECKING:
    from assent.adapters.deployments import AccountDeployments
    from assent.adapters.identity import IdentityProviders
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.lockout import Lockout
    from assent.services.sessions import SessionsService

CHALLENGE_SECONDS = 300  # SECURITY.md 5
# A new device waits on a registered device's approval, then has five minutes to finish signing in.
NEW_DEVICE = Consent(
    purpose=Purpose.NEW_DEVICE,
    proof_purpose=Purpose.NEW_DEVICE.value,
    prefix="2fa",
    finish_seconds=300,
    unknown="no such 2FA request",
)
# One new-device request per user per this many seconds: a user is not to be flooded (SECURITY.md 18).
TWO_FACTOR_INTERVAL_SECONDS = 30
CHAIN_NAMES = (
    "flow-mainnet",
    "flow-testnet",
    "ethereum-mainnet",
    "ethereum-goerli",
    "polygon-mainnet",
    "polygon-mumbai",
)


@dataclass(frozen=True)
class Challenge:
    challenge_data: str
    expires_at: int
    passkey: Passkey | None = None  # the WebAuthn credential of the key asked for, to name in its options


@dataclass(frozen=True)
class TwoFactorRequest:
    operation: Operation
    device: dict[str, str]
    challenge_data: str


def _challenge_data() -> str:
    return secrets.token_hex(32)  # SECURITY.md 1


class DeviceSignIn:
    def __init__(
        self,
        *,
        users: UsersRepository,
        challenges: ProofsRepository,
        identities: IdentityProviders,
        sessions: SessionsService,
        deployments: AccountDeployments,
        enrolment: KeyEnrolment,
        lockout: Lockout,
        operation_lifetime_seconds: int,
        clock: Clock = system_clock,
    ) -> None:
        self._users = users
        self._challenges = challenges
        self._identities = identities
        self._sessions = sessions
        self._deployments = deployments
        self._enrolment = enrolment
        self._lockout = lockout
        self._lifetime = operation_lifetime_seconds
        self._clock = clock

    def sign_up(self, *, method: str, token: str, chain_name: str, key: NewKey) -> SignedInAccount:
        """Create the user, their first key and their e-mail claim (the provider verified the address) in one
        transaction, and sign them in. An address someone only typed elsewhere, unverified, is no conflict."""
        email = self._identities.verified_email(method, token)
        now = self._clock()
        user = User(
            user_id=new_user_id(),
            email=email,
            first_name="",
            last_name="",
            created_ms=int(now * 1000),
            email_verified=True,  # the provider vouched for it
            chain_name=chain_name,
            account_deployed=False,
        )
        record = key.record(user.user_id, int(now))
        transact(
            self._users.client,
            [
                *self._users.create_items(user, record, key_taken=KeyTaken("this key is registered already")),
                self._users.claim_email_item(user.user_id, email).refused_with(
                    EmailTaken("an account exists for this e-mail address: sign in instead")
                ),
            ],
        )
        try:
            self._deployments.request(
                user_id=user.user_id,
                chain_name=chain_name,
                public_key=record.public_key,
                requested_ms=user.created_ms,
            )
        except ClientError:
            # The account exists, marked not deployed; a deployer can find it by that mark.
            logger.exception("the deployment request could not be queued")
        return SignedInAccount(user, self._sessions.start(user.user_id, record.ref))

    def challenge(
        self, key_type: str, public_key_hex: str | None, identity: tuple[str, str] | None = None
    ) -> Challenge:
        """A challenge for a registered, live key; any other key is told to register (Hyphen's 400). With no
        key named, a challenge any WebAuthn passkey of the site may answer (a sign-in with no username). With
        an `identity` (method and ID token, as Hyphen's SDKs send), the key must be the verified address's
        account's too."""
        now = int(self._clock())
        data = _challenge_data()
        expires_at = now + CHALLENGE_SECONDS
        if public_key_hex is None:
            if key_type != "passKey":
                raise PleaseRegisterKey("name the key to sign in with: only a passkey may go unnamed")
            self._challenges.put(
                f"signin#{data}", {"purpose": "signin", "key_type": key_type}, expires_at=expires_at, now=now
            )
            return Challenge(data, expires_at)
        key = NewKey(key_type, public_key_hex, {}).point
        record = self._users.key(device_key(key.fingerprint))
        if record is None or not record.live or record.key_type != key_type:
            raise PleaseRegisterKey("this key is not registered: sign up or sign in with 2FA")
        if identity is not None:
            email = self._identities.verified_email(*identity)
            # Another account's key looks as unknown as no key: the device goes on to 2FA (SECURITY.md 26).
            if self._users.user_id_by_email(email) != record.user_id:
                raise PleaseRegisterKey("this key is not registered: sign up or sign in with 2FA")
        self._challenges.put(
            f"signin#{data}",
            {
                "purpose": "signin",
                "key": record.ref,
                "key_type": key_type,
                "public_key": record.public_key,
                "user_id": record.user_id,
            },
            expires_at=expires_at,
            now=now,
        )
        return Challenge(data, expires_at, record.passkey)

    def respond(self, key_type: str, challenge_data: str, signature: str) -> SignedInAccount:
        """Consume the challenge, check its signature, and sign in, if the key is still live."""
        holder = self._proved(key_type, challenge_data, signature)
        return SignedInAccount(holder.user, self._sessions.start(holder.user.user_id, holder.key.ref))

    def respond_with_recovery_key(
        self, challenge_data: str, signature: str, new_key: NewKey
    ) -> SignedInAccount:
        """Hyphen's recovery by a synced recovery key: its signature of the challenge proves the account, as a
        live key's fresh proof (SECURITY.md 35), and the new device key it brings is registered and signed
        in."""
        holder = self._proved("recoveryKey", challenge_data, signature)
        user_id = holder.user.user_id
        record = new_key.record(user_id, int(self._clock()))
        transact(
            self._users.client,
            [
                *self._users.add_key_items(record, key_taken=KeyTaken("this key is registered already")),
                self._users.count_live_keys_item(user_id, 1),
                # Revoked since its signature was checked: it proves nothing any more.
                self._users.live_key_check_item(holder.key.ref, user_id).refused_with(
                    SignInFailed("the signature does not prove this sign-in")
                ),
            ],
        )
        return SignedInAccount(holder.user, self._sessions.start(user_id, record.ref))

    def _proved(self, key_type: str, challenge_data: str, signature: str) -> KeyHolder:
        """The live key, and its user, whose signature answers this sign-in challenge (consumed first)."""
        now = int(self._clock())
        # Consumed before anything is checked: a challenge answers one attempt (SECURITY.md 3).
        challenge = self._challenges.consume(f"signin#{challenge_data}", now=now)
        if (
            challenge is None
            or challenge.fields["purpose"] != "signin"
            or challenge.fields["key_type"] != key_type
            or "public_key" not in challenge.fields  # an unnamed passkey's challenge takes a WebAuthn answer
        ):
            raise SignInFailed("the signature does not prove this sign-in")
        key = public_key(str(challenge.fields["public_key"]))
        factor = Factor.of_key_type(key_type)
        failed = SignInFailed("the signature does not prove this sign-in")
        if not key.verify(challenge_data.encode("ascii"), signature):
            # A wrong signature of a real challenge counts against its account's key factor (SECURITY.md 28).
            raise self._lockout.failed(str(challenge.fields["user_id"]), factor, failed)
        holder = self._users.key_holder(str(challenge.fields["key"]), str(challenge.fields["user_id"]))
        # Revoked between challenge and answer: the key no longer signs anyone in (SECURITY.md 25).
        if holder is None or not holder.key.live:
            raise failed
        self._lockout.refuse_if_closed(holder.user, factor)
        self._lockout.proved(holder.user, factor)
        return holder

    def request_two_factor(self, *, method: str, token: str, key: NewKey) -> TwoFactorRequest:
        """Ask the user's registered devices to approve a new one; the new device waits, then finishes."""
        email = self._identities.verified_email(method, token)
        key.fingerprint  # noqa: B018 (a malformed key is refused before anything is read)
        user_id = self._users.user_id_by_email(email)
        if user_id is None:
            raise AccountNotFound("no account has this e-mail address: sign up instead")
        now = self._clock()
        request_id = str(uuid.uuid4())
        consent = self._enrolment.request(
            NEW_DEVICE, request_id, user_id=user_id, key=key, lifetime_seconds=self._lifetime, now=now
        )
        throttle = self._challenges.once_per_item(
            f"2fa-user#{user_id}", TWO_FACTOR_INTERVAL_SECONDS, now=int(now)
        ).refused_with(TooManyRequests("a new-device request was made moments ago: wait, then retry"))
        transact(self._users.client, [throttle, *consent.writes])
        return TwoFactorRequest(consent.operation, key.device, consent.challenge)

    def finish_two_factor(self, request_id: str, possession: Possession) -> SignedInAccount:
        """Once a registered device has approved, register the new key, if it answers its challenge, and sign
        it in, once."""
        now = int(self._clock())
        operation = self._enrolment.operation(NEW_DEVICE, request_id, now=now)
        state = operation.state_at(now)
        if state is OperationState.PENDING:
            raise TwoFactorPending("the request awaits approval on a registered device")
        if state is OperationState.EXPIRED:
            raise TwoFactorExpired("the request expired before it was approved")
        if state is not OperationState.APPROVED:
            raise TwoFactorDenied("the request was denied")
        return self._enrolment.complete(
            NEW_DEVICE,
            operation,
            possession,
            now=now,
            gone=lambda: TwoFactorExpired("the request was finished already, or too late"),
        )
