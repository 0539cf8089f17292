"""Device keys and passkeys: P-256 public keys as 64-byte x‖y hex, ECDSA signatures as raw r‖s hex."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

# The order of the P-256 group: r and s must lie in 1..n-1 (SECURITY.md 10).
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_HEX_128 = re.compile(r"^[0-9a-fA-F]{128}$")
_ECDSA_SHA256 = ec.ECDSA(SHA256())


class InvalidKey(ValueError):
    """Not 64 bytes of x‖y, or not a point on P-256."""


@dataclass(frozen=True)
class PublicKey:
    raw: bytes  # x‖y, 64 bytes
    key: ec.EllipticCurvePublicKey

    @property
    def hex(self) -> str:
        return self.raw.hex()

    @property
    def fingerprint(self) -> str:
        """SHA-256 of x‖y: how a key is named in the store, in approvals and in URLs."""
        return hashlib.sha256(self.raw).hexdigest()

    def verify(self, message: bytes, signature: str) -> bool:
        """Whether `signature` (r‖s, 128 hex digits) signs `message` under ECDSA P-256/SHA-256.

        High-s signatures are valid ECDSA and accepted (SECURITY.md 11): what stops a replay is the
        single-use challenge, not the signature's bytes.
        """
        if not _HEX_128.match(signature):
            return False
        raw = bytes.fromhex(signature)
        r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        if not (0 < r < _N and 0 < s < _N):
            return False
        try:
            self.key.verify(encode_dss_signature(r, s), message, _ECDSA_SHA256)
        except InvalidSignature:
            return False
        return True


def public_key(value: str) -> PublicKey:
    """Parse 128 hex digits of x‖y into a point on P-256 (SECURITY.md 10)."""
    if not _HEX_128.match(value):
        raise InvalidKey("a public key is 64 bytes (x‖y) as 128 hex digits")
    raw = bytes.fromhex(value)
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + raw)
    except ValueError as error:
        raise InvalidKey("the public key is not a point on P-256") from error
    return PublicKey(raw, key)
