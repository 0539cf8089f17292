"""WebAuthn (Level 3) passkeys: registration and authentication responses checked as the spec's relying party
steps say (SECURITY.md 40), on `cbor2` and `cryptography`.

Responses are the JSON browsers produce (`PublicKeyCredential.toJSON()`, @simplewebauthn/browser): binary
fields base64url. Accepted keys: ES256 (-7), EdDSA with Ed25519 (-8) and RS256 (-257). Attestation is not
asked for ("none"); a "packed" statement is still checked (self-attestation with the credential's own key, or
a certificate's key), but no certificate is trusted for it, and other formats are refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

from assent.model.passkeys import EDDSA, ES256, RS256

MAX_CREDENTIAL_ID_BYTES = 1023
# The order of P-256: an ECDSA signature's r and s lie in 1..n-1.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

_UP, _UV, _BE, _BS, _AT, _ED = 0x01, 0x04, 0x08, 0x10, 0x40, 0x80

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey
# The key each COSE algorithm is made with (a packed attestation's certificate must hold one of that kind).
_KEY_TYPES: dict[int, type] = {
    ES256: ec.EllipticCurvePublicKey,
    EDDSA: ed25519.Ed25519PublicKey,
    RS256: rsa.RSAPublicKey,
}


class WebAuthnRefused(ValueError):
    """A response that does not prove what it must; the message says which check failed."""


class SignCountWentBack(WebAuthnRefused):
    """A signed assertion whose count did not grow: two authenticators may hold the credential."""


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str  # the site's domain, which the authenticator hashes into every response
    origins: frozenset[str]  # web origins, and Android's `android:apk-key-hash:` ones

    @property
    def rp_id_hash(self) -> bytes:
        return hashlib.sha256(self.rp_id.encode("utf-8")).digest()


@dataclass(frozen=True)
class AuthenticatorData:
    rp_id_hash: bytes
    flags: int
    sign_count: int
    aaguid: bytes | None = None
    credential_id: bytes | None = None
    credential_public_key: bytes | None = None  # the COSE key, as its CBOR bytes

    @property
    def backup_eligible(self) -> bool:
        return bool(self.flags & _BE)

    @property
    def backed_up(self) -> bool:
        return bool(self.flags & _BS)


@dataclass(frozen=True)
class NewCredential:
    """A passkey as registration proved it, to store."""

    credential_id: bytes
    public_key: bytes  # the COSE key's CBOR bytes
    algorithm: int
    sign_count: int
    aaguid: str
    backup_eligible: bool
    backed_up: bool
    transports: tuple[str, ...]

    @property
    def p256_xy(self) -> str | None:
        """x‖y hex of an ES256 key: the fingerprint device keys use, so approvals name it alike."""
        return p256_xy(self.public_key)


@dataclass(frozen=True)
class StoredCredential:
    """What an assertion is checked against: the registered key and what was last seen of it."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    backup_eligible: bool
    user_handle: bytes | None = None  # the `user.id` its registration gave it, which an assertion may return


@dataclass(frozen=True)
class Assertion:
    """An authentication response that proved possession of the stored credential."""

    credential_id: bytes
    sign_count: int
    backed_up: bool
    user_handle: bytes | None


def b64url_decode(text: Any, name: str) -> bytes:
    if not isinstance(text, str):
        raise WebAuthnRefused(f"{name} must be base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise WebAuthnRefused(f"{name} is not base64url") from error


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def verify_registration(response: Mapping[str, Any], *, challenge: bytes, rp: RelyingParty) -> NewCredential:
    """A RegistrationResponseJSON checked against the challenge issued for it (WebAuthn §7.1)."""
    raw_id = _credential_id(response)
    body = _mapping(response.get("response"), "response")
    client_data_json = b64url_decode(body.get("clientDataJSON"), "clientDataJSON")
    _check_client_data(client_data_json, "webauthn.create", challenge, rp)
    try:
        attestation = cbor2.loads(b64url_decode(body.get("attestationObject"), "attestationObject"))
    except (cbor2.CBORDecodeError, ValueError) as error:
        raise WebAuthnRefused("attestationObject is not CBOR") from error
    attestation = _mapping(attestation, "attestationObject")
    auth_data_bytes = attestation.get("authData")
    if not isinstance(auth_data_bytes, bytes):
        raise WebAuthnRefused("attestationObject has no authData")
    auth_data = parse_authenticator_data(auth_data_bytes)
    _check_flags(auth_data, rp)
    if auth_data.credential_id is None or auth_data.credential_public_key is None or auth_data.aaguid is None:
        raise WebAuthnRefused("authenticator data carries no attested credential")
    if auth_data.credential_id != raw_id:
        raise WebAuthnRefused("the credential id differs from the attested one")
    algorithm = cose_algorithm(auth_data.credential_public_key)
    _check_attestation(attestation, auth_data, auth_data_bytes, client_data_json)
    transports = body.get("transports") or []
    return NewCredential(
        credential_id=raw_id,
        public_key=auth_data.credential_public_key,
        algorithm=algorithm,
        sign_count=auth_data.sign_count,
        aaguid=str(uuid.UUID(bytes=auth_data.aaguid)),
        backup_eligible=auth_data.backup_eligible,
        backed_up=auth_data.backed_up,
        transports=tuple(t for t in transports if isinstance(t, str))[:8],
    )


def verify_assertion(
    response: Mapping[str, Any], *, challenge: bytes, rp: RelyingParty, credential: StoredCredential
) -> Assertion:
    """An AuthenticationResponseJSON checked against the challenge and the stored credential (WebAuthn §7.2).

    A sign count that does not grow (unless both are 0, as synced passkeys send) refuses: a clone."""
    raw_id = _credential_id(response)
    if raw_id != credential.credential_id:
        raise WebAuthnRefused("the response is for another credential")
    body = _mapping(response.get("response"), "response")
    client_data_json = b64url_decode(body.get("clientDataJSON"), "clientDataJSON")
    _check_client_data(client_data_json, "webauthn.get", challenge, rp)
    auth_data_bytes = b64url_decode(body.get("authenticatorData"), "authenticatorData")
    auth_data = parse_authenticator_data(auth_data_bytes)
    _check_flags(auth_data, rp)
    if auth_data.backup_eligible != credential.backup_eligible:
        raise WebAuthnRefused("the backup-eligible flag changed since registration")
    signature = b64url_decode(body.get("signature"), "signature")
    signed = auth_data_bytes + hashlib.sha256(client_data_json).digest()
    verify_cose_signature(credential.public_key, signature, signed)
    if (auth_data.sign_count or credential.sign_count) and auth_data.sign_count <= credential.sign_count:
        raise SignCountWentBack("the sign count did not grow: the authenticator may be cloned")
    handle = body.get("userHandle")
    user_handle = b64url_decode(handle, "userHandle") if handle else None
    if (
        user_handle is not None
        and credential.user_handle is not None
        and user_handle != credential.user_handle
    ):
        raise WebAuthnRefused("the user handle is not the one the passkey was registered with")
    return Assertion(
        credential_id=raw_id,
        sign_count=auth_data.sign_count,
        backed_up=auth_data.backed_up,
        user_handle=user_handle,
    )


def parse_authenticator_data(data: bytes) -> AuthenticatorData:
    """rpIdHash, flags, sign count and, when AT is set, the attested credential (WebAuthn §6.1)."""
    if len(data) < 37:
        raise WebAuthnRefused("authenticator data is too short")
    rp_id_hash, flags, (sign_count,) = data[:32], data[32], struct.unpack(">I", data[33:37])
    rest = data[37:]
    aaguid = credential_id = public_key = None
    if flags & _AT:
        if len(rest) < 18:
            raise WebAuthnRefused("attested credential data is too short")
        aaguid, (length,) = rest[:16], struct.unpack(">H", rest[16:18])
        if length > MAX_CREDENTIAL_ID_BYTES or len(rest) < 18 + length:
            raise WebAuthnRefused("the credential id is too long")
        credential_id = rest[18 : 18 + length]
        public_key, rest = _one_cbor_item(rest[18 + length :], "credentialPublicKey")
    if flags & _ED:
        _, rest = _one_cbor_item(rest, "extensions")
    if rest:
        raise WebAuthnRefused("authenticator data has bytes left over")
    return AuthenticatorData(rp_id_hash, flags, sign_count, aaguid, credential_id, public_key)


def cose_algorithm(cose_key: bytes) -> int:
    """The key's algorithm, once the key itself is checked to be a well-formed key of that algorithm."""
    key = _cose_map(cose_key)
    _public_key(key)
    return int(key[3])


def verify_cose_signature(cose_key: bytes, signature: bytes, data: bytes) -> None:
    """WebAuthnRefused unless `signature` over `data` is the COSE key's (ES256 ones in strict DER)."""
    _verify(_public_key(_cose_map(cose_key)), signature, data)


def _verify(public_key: PublicKey, signature: bytes, data: bytes) -> None:
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            strict_der(signature)
            public_key.verify(signature, data, ec.ECDSA(SHA256()))
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), SHA256())
    except InvalidSignature as error:
        raise WebAuthnRefused("the signature does not verify") from error


def strict_der(signature: bytes) -> tuple[int, int]:
    """r and s of an ECDSA P-256 signature in DER, refusing any other encoding of them (BER lengths, padding,
    trailing bytes) and values outside 1..n-1: one signature has exactly one accepted form."""
    try:
        r, s = decode_dss_signature(signature)
    except ValueError as error:
        raise WebAuthnRefused("the signature is not DER") from error
    if not (0 < r < _P256_ORDER and 0 < s < _P256_ORDER):
        raise WebAuthnRefused("the signature's r or s is out of range")
    if encode_dss_signature(r, s) != signature:
        raise WebAuthnRefused("the signature is not strict DER")
    return r, s


def p256_xy(cose_key: bytes) -> str | None:
    key = _cose_map(cose_key)
    if key.get(1) != 2:
        return None
    return bytes(key[-2]).hex() + bytes(key[-3]).hex()


def _credential_id(response: Mapping[str, Any]) -> bytes:
    if not isinstance(response, Mapping) or response.get("type") != "public-key":
        raise WebAuthnRefused('the credential type must be "public-key"')
    raw_id = b64url_decode(response.get("rawId"), "rawId")
    if not raw_id or len(raw_id) > MAX_CREDENTIAL_ID_BYTES:
        raise WebAuthnRefused("rawId must be 1 to 1023 bytes")
    if b64url_decode(response.get("id"), "id") != raw_id:
        raise WebAuthnRefused("id and rawId differ")
    return raw_id


def _check_client_data(client_data_json: bytes, kind: str, challenge: bytes, rp: RelyingParty) -> None:
    try:
        client_data = json.loads(client_data_json.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WebAuthnRefused("clientDataJSON is not JSON") from error
    client_data = _mapping(client_data, "clientDataJSON")
    if client_data.get("type") != kind:
        raise WebAuthnRefused(f'clientDataJSON.type must be "{kind}"')
    if b64url_decode(client_data.get("challenge"), "clientDataJSON.challenge") != challenge:
        raise WebAuthnRefused("clientDataJSON.challenge is not the challenge issued")
    if client_data.get("origin") not in rp.origins:
        raise WebAuthnRefused("clientDataJSON.origin is not an allowed origin")
    # A page of this origin framed by another site: not asked for, so not accepted.
    if client_data.get("crossOrigin") is True:
        raise WebAuthnRefused("a cross-origin ceremony is not accepted")


def _check_flags(auth_data: AuthenticatorData, rp: RelyingParty) -> None:
    if auth_data.rp_id_hash != rp.rp_id_hash:
        raise WebAuthnRefused("rpIdHash is not this site's")
    if not auth_data.flags & _UP:
        raise WebAuthnRefused("the user was not present (UP)")
    if not auth_data.flags & _UV:
        raise WebAuthnRefused("the user was not verified (UV)")
    if auth_data.flags & _BS and not auth_data.flags & _BE:
        raise WebAuthnRefused("backed up (BS) but not backup-eligible (BE)")


def _check_attestation(
    attestation: Mapping[str, Any],
    auth_data: AuthenticatorData,
    auth_data_bytes: bytes,
    client_data_json: bytes,
) -> None:
    fmt, statement = attestation.get("fmt"), attestation.get("attStmt")
    if not isinstance(statement, Mapping):
        raise WebAuthnRefused("attStmt must be a map")
    if fmt == "none":
        if statement:
            raise WebAuthnRefused('a "none" attestation has an empty statement')
        return
    if fmt != "packed":
        raise WebAuthnRefused(f"attestation format {fmt!r} is not accepted")
    signed = auth_data_bytes + hashlib.sha256(client_data_json).digest()
    signature, algorithm = statement.get("sig"), statement.get("alg")
    if not isinstance(signature, bytes) or not isinstance(algorithm, int):
        raise WebAuthnRefused("a packed statement has alg and sig")
    certificates = statement.get("x5c")
    if certificates is None:
        # Self attestation: the new credential signs for itself, with its own algorithm.
        if algorithm != cose_algorithm(auth_data.credential_public_key or b""):
            raise WebAuthnRefused("a self attestation's alg is the credential's")
        verify_cose_signature(auth_data.credential_public_key or b"", signature, signed)
        return
    _verify_certificate_signature(certificates, algorithm, signature, signed)


def _verify_certificate_signature(certificates: Any, algorithm: int, signature: bytes, signed: bytes) -> None:
    # The statement is checked so that a malformed one is refused, but no certificate is trusted: Assent asks
    # for no attestation, so what make of authenticator made the key decides nothing.
    if not isinstance(certificates, list) or not certificates or not isinstance(certificates[0], bytes):
        raise WebAuthnRefused("x5c must list DER certificates")
    # Imported here: x509 is some 19 ms of a cold start, and only a packed attestation with a certificate
    # (which browsers, asked for none, do not send) needs it.
    from cryptography import x509

    try:
        leaf = x509.load_der_x509_certificate(certificates[0]).public_key()
    except ValueError as error:
        raise WebAuthnRefused("the attestation certificate is not DER") from error
    if not isinstance(leaf, _KEY_TYPES.get(algorithm, ())):
        raise WebAuthnRefused("the attestation's alg does not match its certificate")
    _verify(cast(PublicKey, leaf), signature, signed)  # of the algorithm's kind, checked just above


def _one_cbor_item(data: bytes, name: str) -> tuple[bytes, bytes]:
    """The first CBOR item in `data`, as its bytes, and what follows it."""
    stream = io.BytesIO(data)
    try:
        cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, EOFError) as error:
        raise WebAuthnRefused(f"{name} is not CBOR") from error
    end = stream.tell()
    return data[:end], data[end:]


def _cose_map(cose_key: bytes) -> dict[int, Any]:
    try:
        key = cbor2.loads(cose_key)
    except (cbor2.CBORDecodeError, ValueError, EOFError) as error:
        raise WebAuthnRefused("the public key is not CBOR") from error
    if not isinstance(key, dict):
        raise WebAuthnRefused("the public key is not a COSE key")
    return key


def _public_key(key: Mapping[int, Any]) -> PublicKey:
    kty, algorithm = key.get(1), key.get(3)
    try:
        if kty == 2 and algorithm == ES256 and key.get(-1) == 1:
            x, y = key.get(-2), key.get(-3)
            if not (isinstance(x, bytes) and isinstance(y, bytes) and len(x) == len(y) == 32):
                raise WebAuthnRefused("an ES256 key has 32-byte x and y")
            numbers = ec.EllipticCurvePublicNumbers(int.from_bytes(x), int.from_bytes(y), ec.SECP256R1())
            return numbers.public_key()  # refuses a point not on the curve
        if kty == 1 and algorithm == EDDSA and key.get(-1) == 6:
            x = key.get(-2)
            if not (isinstance(x, bytes) and len(x) == 32):
                raise WebAuthnRefused("an Ed25519 key has a 32-byte x")
            return ed25519.Ed25519PublicKey.from_public_bytes(x)
        if kty == 3 and algorithm == RS256:
            n, e = key.get(-1), key.get(-2)
            if not (isinstance(n, bytes) and isinstance(e, bytes) and len(n) >= 256):
                raise WebAuthnRefused("an RS256 key has n of at least 2048 bits and e")
            return rsa.RSAPublicNumbers(int.from_bytes(e), int.from_bytes(n)).public_key()
    except WebAuthnRefused:
        raise
    except ValueError as error:
        raise WebAuthnRefused("the public key is not a valid key") from error
    raise WebAuthnRefused("the key's algorithm is not ES256, EdDSA (Ed25519) or RS256")


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise WebAuthnRefused(f"{name} must be an object")
    return value
