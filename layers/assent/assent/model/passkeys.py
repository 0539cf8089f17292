"""Passkeys made by a browser or a phone (WebAuthn): what is kept of one, and the reference its key goes by.

An ES256 passkey goes by the fingerprint of its x‖y, as a device key does (`p256#…`), so listing, revoking
and approving name it alike; an EdDSA or RS256 one by the SHA-256 of its credential id (`passkey#…`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# COSE algorithm ids of the keys accepted: ECDSA P-256 with SHA-256, Ed25519, RSA PKCS#1 v1.5 with SHA-256.
ES256, EDDSA, RS256 = -7, -8, -257
ALGORITHMS = (ES256, EDDSA, RS256)
# The listing's id of an EdDSA or RS256 passkey: 64 hex digits, which no P-256 key (128) or wallet (0x…) is.
PASSKEY_ID_PATTERN = r"^[0-9a-f]{64}$"


def credential_digest(credential_id: bytes) -> str:
    """What the store indexes a credential id by: ids run to 1023 bytes, their digest to 32."""
    return hashlib.sha256(credential_id).hexdigest()


def passkey_key(digest: str) -> str:
    """The key reference of an EdDSA or RS256 passkey."""
    return f"passkey#{digest}"


@dataclass(frozen=True)
class Passkey:
    """A registered WebAuthn credential: its COSE key, and what its authenticator last said of it."""

    credential_id: bytes
    cose_key: bytes
    algorithm: int
    sign_count: int
    backup_eligible: bool
    backed_up: bool
    aaguid: str
    user_handle: bytes  # the random user.id its registration options carried; an assertion returns it
    transports: tuple[str, ...] = ()
    last_used_at: int | None = None
    clone_suspected_at: int | None = None  # when a sign count went backwards: the user should remove it

    @property
    def digest(self) -> str:
        return credential_digest(self.credential_id)
