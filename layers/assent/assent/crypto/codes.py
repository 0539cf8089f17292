"""One-time codes: from a CSPRNG, stored only as an HMAC made by a KMS key, compared in constant time."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class CodeHasher:
    """Keyed digests of codes. The key stays in KMS, so a copy of the table cannot be brute-forced offline,
    which a million possible codes would otherwise allow in a second."""

    def __init__(self, kms: Any, key_id: str) -> None:
        self._kms = kms
        self._key_id = key_id

    def digest(self, purpose: str, subject: str, code: str) -> bytes:
        # Bound to purpose and subject, so a digest copied to another item proves nothing there.
        message = f"{purpose}\x00{subject}\x00{code}".encode()
        mac: bytes = self._kms.generate_mac(KeyId=self._key_id, Message=message, MacAlgorithm="HMAC_SHA_256")[
            "Mac"
        ]
        return mac

    def matches(self, purpose: str, subject: str, code: str, stored: bytes) -> bool:
        return hmac.compare_digest(self.digest(purpose, subject, code), stored)
