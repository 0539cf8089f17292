"""Device keys and passkeys (Hyphen's auth API): sign up, sign in by challenge, and sign in a new device
with the approval of one already registered (2FA).

A device proves its key by signing the UTF-8 bytes of a hex challenge string (32 random bytes) with
ECDSA P-256/SHA-256; each challenge is stored bound to its purpose and key, and consumed once.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from assent.core.clock import Clock, system_clock
from assent.core.errors import (
    AccountNotFound,
    AssentError,
    EmailTaken,
    InvalidKey,
    KeyTaken,
    OperationNotFound,
    PleaseRegisterKey,
    SignInFailed,
    TooManyRequests,
    TwoFactorDenied,
    TwoFactorExpired,
    TwoFactorPending,
)
from assent.core.observability import logger
from assent.crypto.p256 import InvalidKey as MalformedKey
from assent.crypto.p256 import PublicKey, public_key
from assent.model.operations import ASSENT_CLIENT_ID, Operation, OperationState, Purpose
from assent.model.users import KeyRecord, User, device_key, new_user_id
from assent.repositories.transactions import TransactionCancelled, transact

if TYPE_CHECKING:
    from assent.adapters.deployments import AccountDeployments
    from assent.adapters.identity import IdentityProviders
    from assent.model.sessions import Credentials
    from assent.repositories.operations import OperationsRepository
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.sessions import SessionsService

CHALLENGE_SECONDS = 300  # SECURITY.md 5
# After a new device is approved, it has this long to finish signing in.
FINISH_SECONDS = 300
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
class NewKey:
    """A key a device presents to be registered: its type, x‖y and what the device says of itself."""

    key_type: str  # deviceKey or passKey
    public_key: str
    device: dict[str, str]

    @classmethod
    def stored(cls, item: dict[str, Any]) -> NewKey:
        """The key as `attributes` stored it in a proof."""
        device = item.get("device") or {}
        return cls(
            str(item["key_type"]), str(item["public_key"]), {str(k): str(v) for k, v in device.items()}
        )

    @cached_property
    def point(self) -> PublicKey:
        """The key parsed onto P-256 (once); a malformed one is InvalidKey, a 400."""
        try:
            return public_key(self.public_key)
        except MalformedKey as error:
            raise InvalidKey(str(error)) from error

    def attributes(self) -> dict[str, Any]:
        """What a proof stores of the key, for `stored` to read back."""
        return {"key_type": self.key_type, "public_key": self.point.hex, "device": self.device}

    def record(self, user_id: str, now: int) -> KeyRecord:
        return KeyRecord(
            ref=device_key(self.point.fingerprint),
            user_id=user_id,
            key_type=self.key_type,
            public_key=self.point.hex,
            created_at=now,
            device=self.device or None,
        )


@dataclass(frozen=True)
class SignedInAccount:
    user: User
    credentials: Credentials


@dataclass(frozen=True)
class Challenge:
    challenge_data: str
    expires_at: int


@dataclass(frozen=True)
class TwoFactorRequest:
    operation: Operation
    device: dict[str, str]
    challenge_data: str


def shown_payload(key: NewKey) -> str:
    """What an approving device shows, and signs, of a new key: its type, its fingerprint, which binds the
    approval to it (SECURITY.md 13), and what the device said of itself."""
    shown = {"newKey": {"type": key.key_type, "fingerprint": key.point.fingerprint, "device": key.device}}
    return json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _shown_fingerprint(operation: Operation) -> str | None:
    shown = json.loads(operation.payload or "{}")
    return str(shown["newKey"]["fingerprint"]) if "newKey" in shown else None


class KeyEnrolment:
    """A new key that waits on consent (a registered device's approval, or a recovery's cooling-off): stored
    with a challenge, then registered once, when it signs that challenge."""

    def __init__(self, users: UsersRepository, proofs: ProofsRepository, sessions: SessionsService) -> None:
        self._users = users
        self._proofs = proofs
        self._sessions = sessions

    def pending_item(
        self, pk: str, *, purpose: str, user_id: str, key: NewKey, challenge: str, expires_at: int, now: int
    ) -> dict[str, Any]:
        """A transaction item storing the waiting key."""
        attributes = {"purpose": purpose, "user_id": user_id, "challenge": challenge, **key.attributes()}
        return self._proofs.put_item(pk, attributes, expires_at=expires_at, now=now)

    def complete(
        self,
        pk: str,
        operation: Operation,
        signature: str,
        *,
        purpose: str,
        now: int,
        gone: Callable[[], AssentError],
    ) -> SignedInAccount:
        """Register the key `operation` consented to, if it signed its challenge, and sign it in; `gone`
        makes the error for a key finished already, or too late."""
        proof = self._proofs.get(pk, now=now)
        if proof is None or proof["purpose"] != purpose or proof["user_id"] != operation.user_id:
            raise gone()
        key = NewKey.stored(proof)
        if _shown_fingerprint(operation) != key.point.fingerprint:
            raise SignInFailed("the key consented to is not this one")
        if not key.point.verify(str(proof["challenge"]).encode("ascii"), signature):
            raise SignInFailed("the signature does not prove the new key")
        record = key.record(operation.user_id, now)
        try:
            transact(
                self._proofs.client,
                [self._proofs.consume_item(pk, now=now, purpose=purpose), self._users.add_key_item(record)],
            )
        except TransactionCancelled as error:
            if error.failed(1):
                raise KeyTaken("this key is registered already") from error
            raise gone() from error
        user = self._users.get(operation.user_id)
        if user is None:
            raise gone()
        return SignedInAccount(user, self._sessions.start(user.user_id, record.ref))


def _challenge_data() -> str:
    return secrets.token_hex(32)  # SECURITY.md 1


class DeviceSignIn:
    def __init__(
        self,
        *,
        users: UsersRepository,
        challenges: ProofsRepository,
        operations: OperationsRepository,
        identities: IdentityProviders,
        sessions: SessionsService,
        deployments: AccountDeployments,
        operation_lifetime_seconds: int,
        retention_seconds: int,
        node_id: str,
        clock: Clock = system_clock,
    ) -> None:
        self._users = users
        self._challenges = challenges
        self._operations = operations
        self._identities = identities
        self._sessions = sessions
        self._deployments = deployments
        self._lifetime = operation_lifetime_seconds
        self._retention = retention_seconds
        self._node_id = node_id
        self._clock = clock
        self._enrolment = KeyEnrolment(users, challenges, sessions)

    def sign_up(self, *, method: str, token: str, chain_name: str, key: NewKey) -> SignedInAccount:
        """Create the user, their first key and their e-mail claim in one transaction, and sign them in."""
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
        try:
            transact(self._users.client, self._users.create_items(user, record))
        except TransactionCancelled as error:
            if error.failed(self._users.KEY):
                raise KeyTaken("this key is registered already") from error
            if error.failed(self._users.EMAIL):
                raise EmailTaken("an account exists for this e-mail address: sign in instead") from error
            raise
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

    def challenge(self, key_type: str, public_key_hex: str) -> Challenge:
        """A challenge for a registered, live key; any other key is told to register (Hyphen's 400)."""
        key = NewKey(key_type, public_key_hex, {}).point
        record = self._users.key(device_key(key.fingerprint))
        if record is None or not record.live or record.key_type != key_type:
            raise PleaseRegisterKey("this key is not registered: sign up or sign in with 2FA")
        now = int(self._clock())
        data = _challenge_data()
        expires_at = now + CHALLENGE_SECONDS
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
        return Challenge(data, expires_at)

    def respond(self, key_type: str, challenge_data: str, signature: str) -> SignedInAccount:
        """Consume the challenge, check its signature, and sign in, if the key is still live."""
        now = int(self._clock())
        # Consumed before anything is checked: a challenge answers one attempt (SECURITY.md 3).
        challenge = self._challenges.consume(f"signin#{challenge_data}", now=now)
        if challenge is None or challenge["purpose"] != "signin" or challenge["key_type"] != key_type:
            raise SignInFailed("the signature does not prove this sign-in")
        key = public_key(str(challenge["public_key"]))
        if not key.verify(challenge_data.encode("ascii"), signature):
            raise SignInFailed("the signature does not prove this sign-in")
        record, user = self._users.key_and_user(str(challenge["key"]), str(challenge["user_id"]))
        # Revoked between challenge and answer: the key no longer signs anyone in (SECURITY.md 25).
        if record is None or not record.live or user is None or record.user_id != user.user_id:
            raise SignInFailed("the signature does not prove this sign-in")
        return SignedInAccount(user, self._sessions.start(user.user_id, record.ref))

    def request_two_factor(self, *, method: str, token: str, key: NewKey) -> TwoFactorRequest:
        """Ask the user's registered devices to approve a new one; the new device waits, then finishes."""
        email = self._identities.verified_email(method, token)
        key.point  # noqa: B018 (a malformed key is refused before anything is read)
        user_id = self._users.user_id_by_email(email)
        if user_id is None:
            raise AccountNotFound("no account has this e-mail address: sign up instead")
        now = self._clock()
        request_id = str(uuid.uuid4())
        operation = Operation.new(
            client_id=ASSENT_CLIENT_ID,
            key_id=ASSENT_CLIENT_ID,
            operation_id=request_id,
            user_id=user_id,
            node_id=self._node_id,
            now=now,
            lifetime_seconds=self._lifetime,
            retention_seconds=self._retention,
            payload=shown_payload(key),
            purpose=Purpose.NEW_DEVICE,
        )
        data = _challenge_data()
        items = [
            self._challenges.put_item(
                f"2fa-user#{user_id}",
                {},
                expires_at=int(now) + TWO_FACTOR_INTERVAL_SECONDS,
                now=int(now),
                resend_after=TWO_FACTOR_INTERVAL_SECONDS,
            ),
            self._operations.create_item(operation),
            self._enrolment.pending_item(
                f"2fa#{request_id}",
                purpose=Purpose.NEW_DEVICE.value,
                user_id=user_id,
                key=key,
                challenge=data,
                expires_at=operation.expires_at + FINISH_SECONDS,
                now=int(now),
            ),
        ]
        try:
            transact(self._users.client, items)
        except TransactionCancelled as error:
            if error.failed(0):
                raise TooManyRequests(
                    "a new-device request was made moments ago: wait, then retry"
                ) from error
            raise
        return TwoFactorRequest(operation, key.device, data)

    def finish_two_factor(self, request_id: str, signature: str) -> SignedInAccount:
        """Once a registered device has approved, register the new key and sign it in, once."""
        now = int(self._clock())
        operation = self._operations.get(ASSENT_CLIENT_ID, request_id, now=now)
        if operation is None or operation.purpose is not Purpose.NEW_DEVICE:
            raise OperationNotFound("no such 2FA request")
        state = operation.state_at(now)
        if state is OperationState.PENDING:
            raise TwoFactorPending("the request awaits approval on a registered device")
        if state is OperationState.EXPIRED:
            raise TwoFactorExpired("the request expired before it was approved")
        if state is not OperationState.APPROVED:
            raise TwoFactorDenied("the request was denied")
        return self._enrolment.complete(
            f"2fa#{request_id}",
            operation,
            signature,
            purpose=Purpose.NEW_DEVICE.value,
            now=now,
            gone=lambda: TwoFactorExpired("the request was finished already, or too late"),
        )
