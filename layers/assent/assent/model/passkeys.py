"""Passkeys made by a browser or a phone (WebAuthn): what is kept of one, and the reference its key goes by.

An ES256 passkey goes by the fingerprint of its x‖y, as a device key does (`p256#…`), so listing, revoking
and approving name it alike; an EdDSA or RS256 one by the SHA-256 of its credential id (`passkey#…`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


def passkey_fields(passkey: Passkey) -> dict[str, Any]:
    """A passkey as the plain values an item stores (`stored_passkey` reads them back)."""
    fields: dict[str, Any] = {
        "credential_id": passkey.credential_id,
        "cose_key": passkey.cose_key,
        "algorithm": passkey.algorithm,
        "sign_count": passkey.sign_count,
        "backup_eligible": passkey.backup_eligible,
        "backed_up": passkey.backed_up,
        "aaguid": passkey.aaguid,
        "user_handle": passkey.user_handle,
        "transports": list(passkey.transports),
    }
    if passkey.last_used_at is not None:
        fields["last_used_at"] = passkey.last_used_at
    return fields


def stored_passkey(fields: Mapping[str, Any]) -> Passkey:
    """A passkey from the plain values `passkey_fields` made (bytes as bytes, numbers as ints)."""
    return Passkey(
        credential_id=bytes(fields["credential_id"]),
        cose_key=bytes(fields["cose_key"]),
        algorithm=int(fields["algorithm"]),
        sign_count=int(fields["sign_count"]),
        backup_eligible=bool(fields["backup_eligible"]),
        backed_up=bool(fields["backed_up"]),
        aaguid=str(fields["aaguid"]),
        user_handle=bytes(fields["user_handle"]),
        transports=tuple(str(t) for t in fields.get("transports") or ()),
        last_used_at=int(fields["last_used_at"]) if fields.get("last_used_at") is not None else None,
        clone_suspected_at=(
            int(fields["clone_suspected_at"]) if fields.get("clone_suspected_at") is not None else None
        ),
    )
