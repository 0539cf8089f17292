"""The device's side of Hyphen's flows, written from the API's docs and not from the layer's code: a P-256
device key as the SDKs keep one, and the approval digest a device signs over what it shows."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256


@dataclass
class DeviceKey:
    """A P-256 key, as Hyphen's SDKs keep one in the secure enclave."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def public_key(self) -> str:
        """The uncompressed point without its 04 prefix, in hex (x‖y), as the API takes it."""
        numbers = self.private_key.public_key().public_numbers()
        return numbers.x.to_bytes(32, "big").hex() + numbers.y.to_bytes(32, "big").hex()

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(bytes.fromhex(self.public_key)).hexdigest()

    def sign(self, text: str) -> str:
        """ECDSA P-256/SHA-256 over the UTF-8 bytes of `text`, as raw r‖s hex (IEEE P1363)."""
        r, s = decode_dss_signature(self.private_key.sign(text.encode("utf-8"), ec.ECDSA(SHA256())))
        return r.to_bytes(32, "big").hex() + s.to_bytes(32, "big").hex()


def approval_digest(decision: str, shown: Mapping[str, Any], number: str | None = None) -> str:
    """What a device signs to take `decision` on a request as its pending list `shown` it (and, for number
    matching, the number the person entered)."""
    payload_digest = hashlib.sha256((shown["payload"] or "").encode("utf-8")).hexdigest()
    text = (
        f"assent-approval/v3\ndecision:{decision}\npurpose:{shown['purpose']}\nrequest:{shown['requestId']}\n"
        f"client:{shown['clientName']}\ninstance:{shown['instance']}\nexpires:{shown['expiresAt']}\n"
        f"payload-sha256:{payload_digest}"
    )
    if number is not None:
        text += f"\nnumber:{number}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
