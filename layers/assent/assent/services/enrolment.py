"""Enrolment of a new key that waits on consent: a registered device's approval (a new device, 2FA) or the
end of a recovery's cooling-off.

Both flows ask the user with an operation that shows the key's fingerprint (so an approval binds it,
SECURITY.md 13), keep the key beside it with a challenge, and register the key once, when it signs that
challenge after the consent. The new device shows a two-digit number, which approving takes (a wrong one
denies): a person tapping "approve" on a request they did not make cannot (SECURITY.md 44). Each request
counts in the user's approval-request limit (SECURITY.md 18).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assent.core.errors import AssentError, InvalidKey, KeyTaken, OperationNotFound, SignInFailed
from assent.crypto.p256 import InvalidKey as MalformedKey
from assent.crypto.p256 import PublicKey, public_key
from assent.model.operations import ASSENT_CLIENT_ID, ASSENT_CLIENT_NAME, Operation, Purpose, matching_number
from assent.model.passkeys import ES256, Passkey, passkey_fields, passkey_key, stored_passkey
from assent.model.sessions import SignedInAccount
from assent.model.users import KeyRecord, device_key
from assent.repositories.transactions import Write, transact

if TYPE_CHECKING:
    from assent.repositories.operations import OperationsRepository
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.request_limits import ApprovalRequestLimits
    from assent.services.sessions import SessionsService


# Whether a new key answered a challenge (hex): the key to register, as it then stands, or None. A device key
# signs the challenge's text (`signed_by`); a WebAuthn passkey asserts its bytes, and its sign count moves.
Possession = Callable[["NewKey", str], "NewKey | None"]


def signed_by(signature: str) -> Possession:
    """The possession a device key or raw passkey proves: its signature of the challenge's UTF-8 text."""
    return lambda key, challenge: key if key.point.verify(challenge.encode("ascii"), signature) else None


@dataclass(frozen=True)
class NewKey:
    """A key a device presents to be registered: its type, x‖y (or, for a WebAuthn passkey of another
    algorithm than ES256, its credential digest), and what the device says of itself."""

    key_type: str  # deviceKey or passKey
    public_key: str
    device: dict[str, str]
    passkey: Passkey | None = None  # a WebAuthn passkey's credential, as its registration proved it

    @classmethod
    def of_passkey(cls, passkey: Passkey, p256_xy: str | None, device: dict[str, str]) -> NewKey:
        """A WebAuthn passkey: named by its x‖y when it is ES256, as device keys are, else by its digest."""
        return cls("passKey", p256_xy or passkey.digest, device, passkey)

    @classmethod
    def stored(cls, fields: Mapping[str, Any]) -> NewKey:
        """The key as `attributes` stored it in a proof."""
        device = fields.get("device") or {}
        passkey = fields.get("passkey")
        return cls(
            str(fields["key_type"]),
            str(fields["public_key"]),
            {str(k): str(v) for k, v in device.items()},
            stored_passkey(passkey) if passkey else None,
        )

    @property
    def fingerprint(self) -> str:
        """What an approving device is shown of the key: the SHA-256 of its x‖y, or of a non-P-256 passkey's
        credential id. A malformed key is InvalidKey, a 400."""
        return self.public_key if self._digest_named else self.point.fingerprint

    @property
    def _digest_named(self) -> bool:
        return self.passkey is not None and self.passkey.algorithm != ES256

    @cached_property
    def point(self) -> PublicKey:
        """The key parsed onto P-256 (once); a malformed one is InvalidKey, a 400."""
        try:
            return public_key(self.public_key)
        except MalformedKey as error:
            raise InvalidKey(str(error)) from error

    @property
    def _stored_public_key(self) -> str:
        """The key as it is stored and listed: x‖y in lower-case hex, or a passkey's credential digest."""
        return self.public_key if self._digest_named else self.point.hex

    def attributes(self) -> dict[str, Any]:
        """What a proof stores of the key, for `stored` to read back."""
        stored = {"key_type": self.key_type, "public_key": self._stored_public_key, "device": self.device}
        if self.passkey is not None:
            stored["passkey"] = passkey_fields(self.passkey)
        return stored

    def record(self, user_id: str, now: int) -> KeyRecord:
        return KeyRecord(
            ref=passkey_key(self.fingerprint) if self._digest_named else device_key(self.fingerprint),
            user_id=user_id,
            key_type=self.key_type,
            public_key=self._stored_public_key,
            created_at=now,
            device=self.device or None,
            passkey=self.passkey,
        )


@dataclass(frozen=True)
class Consent:
    """One kind of consent a new key waits on."""

    purpose: Purpose  # the operation's, which the approver signs
    proof_purpose: str  # the waiting key's, which `complete` requires
    prefix: str  # the waiting key's item is `<prefix>#<request id>`
    finish_seconds: int  # how long past the operation's deadline the key may still finish
    unknown: str  # what a request id that is not of this kind is told


@dataclass(frozen=True)
class ConsentRequest:
    """A request for consent, not yet stored: the operation (with the number the new device shows), the
    challenge the key will sign, and the writes that store and count both, for the flow to commit with its
    own."""

    operation: Operation
    challenge: str
    writes: list[Write]


def shown_payload(key: NewKey) -> str:
    """What an approving device shows, and signs, of a new key: its type, its fingerprint, which binds the
    approval to it (SECURITY.md 13), and what the device said of itself."""
    shown = {"newKey": {"type": key.key_type, "fingerprint": key.fingerprint, "device": key.device}}
    return json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _shown_fingerprint(operation: Operation) -> str | None:
    shown = json.loads(operation.payload or "{}")
    return str(shown["newKey"]["fingerprint"]) if "newKey" in shown else None


class KeyEnrolment:
    def __init__(
        self,
        *,
        users: UsersRepository,
        proofs: ProofsRepository,
        operations: OperationsRepository,
        sessions: SessionsService,
        limits: ApprovalRequestLimits,
        retention_seconds: int,
        node_id: str,
    ) -> None:
        self._users = users
        self._proofs = proofs
        self._operations = operations
        self._sessions = sessions
        self._limits = limits
        self._retention = retention_seconds
        self._node_id = node_id

    def request(
        self,
        consent: Consent,
        request_id: str,
        *,
        user_id: str,
        key: NewKey,
        lifetime_seconds: int,
        now: float,
    ) -> ConsentRequest:
        """An operation asking `user_id` to consent to `key` within `lifetime_seconds`, with the number the
        new device shows; the key waits."""
        operation = Operation.new(
            client_id=ASSENT_CLIENT_ID,
            client_name=ASSENT_CLIENT_NAME,
            key_id=ASSENT_CLIENT_ID,
            operation_id=request_id,
            user_id=user_id,
            node_id=self._node_id,
            now=now,
            lifetime_seconds=lifetime_seconds,
            retention_seconds=self._retention,
            payload=shown_payload(key),
            purpose=consent.purpose,
            number=matching_number(),
        )
        challenge = secrets.token_hex(32)  # SECURITY.md 1
        attributes = {"purpose": consent.proof_purpose, "user_id": user_id, "challenge": challenge}
        waiting = self._proofs.put_item(
            f"{consent.prefix}#{request_id}",
            {**attributes, **key.attributes()},
            expires_at=operation.expires_at + consent.finish_seconds,
            now=int(now),
        )
        writes = [
            self._limits.per_user_item(user_id, now=now),
            self._operations.create_item(operation),
            waiting,
        ]
        return ConsentRequest(operation, challenge, writes)

    def operation(self, consent: Consent, request_id: str, *, now: int) -> Operation:
        """The consent operation of this kind with this id, as stored."""
        operation = self._operations.get(ASSENT_CLIENT_ID, request_id, now=now)
        if operation is None or operation.purpose is not consent.purpose:
            raise OperationNotFound(consent.unknown)
        return operation

    def complete(
        self,
        consent: Consent,
        operation: Operation,
        possession: Possession,
        *,
        now: int,
        gone: Callable[[], AssentError],
    ) -> SignedInAccount:
        """Register the key `operation` consented to, if it answers its challenge (`possession`), and sign it
        in; `gone` makes the error for a key finished already, or too late."""
        pk = f"{consent.prefix}#{operation.operation_id}"
        proof = self._proofs.get(pk, now=now)
        if (
            proof is None
            or proof.fields["purpose"] != consent.proof_purpose
            or proof.fields["user_id"] != operation.user_id
        ):
            raise gone()
        waiting = NewKey.stored(proof.fields)
        if _shown_fingerprint(operation) != waiting.fingerprint:
            raise SignInFailed("the key consented to is not this one")
        key = possession(waiting, str(proof.fields["challenge"]))
        if key is None:
            raise SignInFailed("the signature does not prove the new key")
        record = key.record(operation.user_id, now)
        transact(
            self._proofs.client,
            [
                # A key registered meanwhile is named as such, before "gone".
                *self._users.add_key_items(record, key_taken=KeyTaken("this key is registered already")),
                self._users.count_live_keys_item(operation.user_id, 1),
                self._proofs.consume_item(pk, now=now, purpose=consent.proof_purpose).refused_with(gone()),
            ],
        )
        user = self._users.get(operation.user_id)
        if user is None:
            raise gone()
        return SignedInAccount(user, self._sessions.start(user.user_id, record.ref))
