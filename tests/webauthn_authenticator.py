"""A software WebAuthn authenticator for tests, built on `cryptography`: it makes the RegistrationResponseJSON
and AuthenticationResponseJSON a browser would hand a site, and can be told to get any part of them wrong."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

ES256, EDDSA, RS256 = -7, -8, -257
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _der_integer(value: int, *, pad: bool = False) -> bytes:
    body = value.to_bytes((value.bit_length() + 8) // 8 or 1, "big", signed=False)
    if pad:
        body = b"\x00" + body
    return b"\x02" + bytes([len(body)]) + body


def malformed_der(signature: bytes, how: str) -> bytes:
    """An ECDSA signature's DER re-encoded wrongly: BER long-form length, a padded integer, trailing bytes, or
    r and s outside 1..n-1."""
    r, s = decode_dss_signature(signature)
    if how == "r zero":
        r = 0
    if how == "s plus n":
        s = s + P256_ORDER
    integers = _der_integer(r, pad=how == "padded r") + _der_integer(s)
    if how == "long-form length":
        return b"\x30\x81" + bytes([len(integers)]) + integers
    encoded = b"\x30" + bytes([len(integers)]) + integers
    return encoded + (b"\x00" if how == "trailing byte" else b"")


def attestation_certificate(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A self-signed attestation certificate for `key`, with the fields packed attestation asks of one."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Authenticators"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Test Authenticator"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, SHA256())
    )
    return certificate.public_bytes(Encoding.DER)


@dataclass
class Authenticator:
    """One credential on a software authenticator. `counts` makes it keep a sign count (security keys do;
    synced passkeys send 0)."""

    algorithm: int = ES256
    fmt: str = "none"
    backup_eligible: bool = True
    backed_up: bool = True
    counts: bool = False
    aaguid: bytes = bytes(16)
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    private_key: Any = None
    sign_count: int = 0
    # With fmt "packed": a P-256 key whose certificate (x5c) signs the attestation instead of the credential.
    attestation_key: Any = None

    def __post_init__(self) -> None:
        if self.private_key is None:
            if self.algorithm == ES256:
                self.private_key = ec.generate_private_key(ec.SECP256R1())
            elif self.algorithm == EDDSA:
                self.private_key = ed25519.Ed25519PrivateKey.generate()
            else:
                self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def cose_key(self) -> bytes:
        public = self.private_key.public_key()
        if self.algorithm == ES256:
            numbers = public.public_numbers()
            key = {
                1: 2,
                3: ES256,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        elif self.algorithm == EDDSA:
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

            key = {1: 1, 3: EDDSA, -1: 6, -2: public.public_bytes(Encoding.Raw, PublicFormat.Raw)}
        else:
            numbers = public.public_numbers()
            key = {1: 3, 3: RS256, -1: numbers.n.to_bytes(256, "big"), -2: numbers.e.to_bytes(3, "big")}
        return cbor2.dumps(key)

    @property
    def p256_xy(self) -> str:
        numbers = self.private_key.public_key().public_numbers()
        return numbers.x.to_bytes(32, "big").hex() + numbers.y.to_bytes(32, "big").hex()

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of an ES256 key's x‖y: the name a device key of the same key would have."""
        return hashlib.sha256(bytes.fromhex(self.p256_xy)).hexdigest()

    def sign(self, data: bytes) -> bytes:
        if self.algorithm == ES256:
            return bytes(self.private_key.sign(data, ec.ECDSA(SHA256())))
        if self.algorithm == EDDSA:
            return bytes(self.private_key.sign(data))
        return bytes(self.private_key.sign(data, padding.PKCS1v15(), SHA256()))

    def _flags(self, attested: bool) -> int:
        flags = UP | UV | (BE if self.backup_eligible else 0) | (BS if self.backed_up else 0)
        return flags | (AT if attested else 0)

    def _client_data(self, kind: str, challenge: bytes, origin: str, wrong: dict[str, Any] | None) -> bytes:
        data = {"type": kind, "challenge": b64url(challenge), "origin": origin, "crossOrigin": False}
        data.update(wrong or {})
        return json.dumps(data, separators=(",", ":")).encode("utf-8")

    def register(
        self,
        *,
        challenge: bytes,
        rp_id: str,
        origin: str,
        flags: int | None = None,
        rp_id_hash: bytes | None = None,
        client_data: dict[str, Any] | None = None,
        credential_type: str = "public-key",
    ) -> dict[str, Any]:
        """navigator.credentials.create(), as toJSON() gives it; the keyword arguments get one part wrong."""
        client_data_json = self._client_data("webauthn.create", challenge, origin, client_data)
        if self.counts:
            self.sign_count += 1
        attested = (
            self.aaguid + struct.pack(">H", len(self.credential_id)) + self.credential_id + self.cose_key
        )
        auth_data = (
            (rp_id_hash or hashlib.sha256(rp_id.encode()).digest())
            + bytes([self._flags(True) if flags is None else flags])
            + struct.pack(">I", self.sign_count)
            + attested
        )
        statement: dict[str, Any] = {}
        if self.fmt == "packed":
            signed = auth_data + hashlib.sha256(client_data_json).digest()
            statement = {"alg": self.algorithm, "sig": self.sign(signed)}
            if self.attestation_key is not None:
                signature = self.attestation_key.sign(signed, ec.ECDSA(SHA256()))
                statement = {
                    "alg": ES256,
                    "sig": signature,
                    "x5c": [attestation_certificate(self.attestation_key)],
                }
        attestation = cbor2.dumps({"fmt": self.fmt, "attStmt": statement, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": credential_type,
            "response": {
                "clientDataJSON": b64url(client_data_json),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def authenticate(
        self,
        *,
        challenge: bytes,
        rp_id: str,
        origin: str,
        user_handle: bytes | None = None,
        flags: int | None = None,
        rp_id_hash: bytes | None = None,
        client_data: dict[str, Any] | None = None,
        sign_count: int | None = None,
        der: str | None = None,
        credential_type: str = "public-key",
    ) -> dict[str, Any]:
        """navigator.credentials.get(), as toJSON() gives it; the keyword arguments get one part wrong."""
        client_data_json = self._client_data("webauthn.get", challenge, origin, client_data)
        if self.counts:
            self.sign_count += 1
        count = self.sign_count if sign_count is None else sign_count
        auth_data = (
            (rp_id_hash or hashlib.sha256(rp_id.encode()).digest())
            + bytes([self._flags(False) if flags is None else flags])
            + struct.pack(">I", count)
        )
        signature = self.sign(auth_data + hashlib.sha256(client_data_json).digest())
        if der is not None:
            signature = malformed_der(signature, der)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": credential_type,
            "response": {
                "clientDataJSON": b64url(client_data_json),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(user_handle) if user_handle else None,
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
