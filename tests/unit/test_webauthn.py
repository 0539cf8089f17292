"""The layer's WebAuthn verifier against py_webauthn, the reference relying party (SECURITY.md 40): for every
key type and attestation format, and every way a response can be wrong, both accept or both refuse, and each
accepts exactly the right responses. A few checks the reference does not make (the backup-eligible flag may
not change; no cross-origin ceremony) are shown against the expected outcome alone."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from typing import Any

import cbor2
import pytest
import webauthn
from cryptography.hazmat.primitives.asymmetric import ec

from assent.crypto.webauthn import (
    RelyingParty,
    StoredCredential,
    WebAuthnRefused,
    strict_der,
    verify_assertion,
    verify_registration,
)
from tests.webauthn_authenticator import AT, BE, BS, EDDSA, ES256, RS256, UP, UV, Authenticator, b64url

RP_ID = "localhost"
ORIGIN = "http://localhost:3000"
RP = RelyingParty(RP_ID, frozenset({ORIGIN, "android:apk-key-hash:Zm9v"}))
KEYS = [
    (ES256, "none"),
    (ES256, "packed"),
    (EDDSA, "none"),
    (EDDSA, "packed"),
    (RS256, "none"),
    (RS256, "packed"),
]
OTHER_SITE = hashlib.sha256(b"evil.example").digest()

# Each gets one part of a registration wrong, or nothing (the first).
REGISTRATIONS: dict[str, tuple[dict[str, Any], bool]] = {
    "as made": ({}, True),
    "an Android app's origin": ({"client_data": {"origin": "android:apk-key-hash:Zm9v"}}, True),
    "type webauthn.get": ({"client_data": {"type": "webauthn.get"}}, False),
    "another challenge": ({"client_data": {"challenge": "b3RoZXI"}}, False),
    "another origin": ({"client_data": {"origin": "https://evil.example"}}, False),
    "another site's rpIdHash": ({"rp_id_hash": OTHER_SITE}, False),
    "no user presence": ({"flags": UV | AT}, False),
    "no user verification": ({"flags": UP | AT}, False),
    "backed up, not backup-eligible": ({"flags": UP | UV | BS | AT}, False),
    "not a public-key credential": ({"credential_type": "password"}, False),
}
# Each gets one part of an authentication wrong, or nothing (the first); `stored_count` is what was last seen.
AUTHENTICATIONS: dict[str, tuple[dict[str, Any], bool]] = {
    "as made": ({}, True),
    "type webauthn.create": ({"client_data": {"type": "webauthn.create"}}, False),
    "another challenge": ({"client_data": {"challenge": "b3RoZXI"}}, False),
    "another origin": ({"client_data": {"origin": "https://evil.example"}}, False),
    "another site's rpIdHash": ({"rp_id_hash": OTHER_SITE}, False),
    "no user presence": ({"flags": UV | BE | BS}, False),
    "no user verification": ({"flags": UP | BE | BS}, False),
    "backed up, not backup-eligible": ({"flags": UP | UV | BS, "eligible": False}, False),
    "the count stands still": ({"sign_count": 5, "stored_count": 5}, False),
    "the count goes back (a clone)": ({"sign_count": 3, "stored_count": 5}, False),
    "the count grows": ({"sign_count": 6, "stored_count": 5}, True),
    "0 and 0 (a synced passkey)": ({"sign_count": 0, "stored_count": 0}, True),
    "another key's signature": ({"impostor": True}, False),
    "not a public-key credential": ({"credential_type": "password"}, False),
}
DER = ["long-form length", "padded r", "trailing byte", "r zero", "s plus n"]
# Stricter than the reference, which keeps no backup-eligible flag and ignores crossOrigin.
OURS_ALONE: dict[str, dict[str, Any]] = {
    "the backup-eligible flag changed": {"flags": UP | UV, "eligible": True},
    "a cross-origin ceremony": {"client_data": {"crossOrigin": True}},
}


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _outcome(check: Callable[[], Any]) -> bool:
    try:
        check()
    except Exception:  # every refusal, of either library, is a refusal; what matters is that both refuse
        return False
    return True


def _ours_register(response: dict[str, Any], challenge: bytes) -> Any:
    return verify_registration(response, challenge=challenge, rp=RP)


def _reference_register(response: dict[str, Any], challenge: bytes) -> Any:
    return webauthn.verify_registration_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=sorted(RP.origins),
        require_user_verification=True,
    )


@pytest.mark.parametrize(("algorithm", "fmt"), KEYS)
@pytest.mark.parametrize("case", REGISTRATIONS, ids=list(REGISTRATIONS))
def test_registration_agrees_with_py_webauthn(algorithm, fmt, case):
    """SECURITY.md 40."""
    changes, accepted = REGISTRATIONS[case]
    authenticator = Authenticator(algorithm=algorithm, fmt=fmt)
    challenge = os.urandom(32)
    response = authenticator.register(challenge=challenge, rp_id=RP_ID, origin=ORIGIN, **changes)

    ours = _outcome(lambda: _ours_register(response, challenge))
    reference = _outcome(lambda: _reference_register(response, challenge))

    assert (ours, reference) == (accepted, accepted)


def test_a_registration_yields_what_is_stored_of_the_passkey():
    authenticator = Authenticator(algorithm=ES256, aaguid=bytes.fromhex("ea9b8d664d011d213ce4b6b48cb575d4"))
    challenge = os.urandom(32)

    credential = _ours_register(
        authenticator.register(challenge=challenge, rp_id=RP_ID, origin=ORIGIN), challenge
    )
    reference = _reference_register(
        authenticator.register(challenge=challenge, rp_id=RP_ID, origin=ORIGIN), challenge
    )

    assert credential.credential_id == authenticator.credential_id == reference.credential_id
    assert credential.public_key == authenticator.cose_key == reference.credential_public_key
    assert credential.aaguid == "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4" == reference.aaguid
    assert (credential.backup_eligible, credential.backed_up) == (True, True)
    assert credential.p256_xy == authenticator.p256_xy
    assert credential.transports == ("internal", "hybrid")


def _stored(authenticator: Authenticator, *, sign_count: int, eligible: bool) -> StoredCredential:
    return StoredCredential(authenticator.credential_id, authenticator.cose_key, sign_count, eligible)


def _authenticate(authenticator: Authenticator, changes: dict[str, Any]) -> tuple[bool, bool | None]:
    """Our outcome and the reference's (None where it does not check) for a response with `changes`."""
    changes = dict(changes)
    stored_count = changes.pop("stored_count", 0)
    eligible = changes.pop("eligible", authenticator.backup_eligible)
    impostor = changes.pop("impostor", False)
    challenge = os.urandom(32)
    signer = Authenticator(algorithm=authenticator.algorithm, credential_id=authenticator.credential_id)
    response = (signer if impostor else authenticator).authenticate(
        challenge=challenge, rp_id=RP_ID, origin=ORIGIN, user_handle=b"user", **changes
    )
    stored = _stored(authenticator, sign_count=stored_count, eligible=eligible)
    ours = _outcome(lambda: verify_assertion(response, challenge=challenge, rp=RP, credential=stored))
    reference = _outcome(
        lambda: webauthn.verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=sorted(RP.origins),
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored_count,
            require_user_verification=True,
        )
    )
    return ours, reference


@pytest.mark.parametrize("algorithm", [ES256, EDDSA, RS256])
@pytest.mark.parametrize("case", AUTHENTICATIONS, ids=list(AUTHENTICATIONS))
def test_authentication_agrees_with_py_webauthn(algorithm, case):
    """SECURITY.md 40."""
    changes, accepted = AUTHENTICATIONS[case]

    assert _authenticate(Authenticator(algorithm=algorithm), changes) == (accepted, accepted)


@pytest.mark.parametrize("how", DER)
def test_an_es256_signature_that_is_not_strict_der_is_refused_by_both(how):
    """SECURITY.md 40: one signature, one accepted encoding."""
    assert _authenticate(Authenticator(algorithm=ES256), {"der": how}) == (False, False)


@pytest.mark.parametrize("case", OURS_ALONE, ids=list(OURS_ALONE))
def test_what_the_reference_does_not_check_is_refused_here(case):
    """SECURITY.md 40: a passkey registered as backup-eligible stays so; a ceremony framed by another site is
    not accepted."""
    ours, _ = _authenticate(Authenticator(algorithm=ES256), OURS_ALONE[case])

    assert ours is False


def test_strict_der_gives_r_and_s_of_a_well_formed_signature():
    authenticator = Authenticator(algorithm=ES256)
    signature = authenticator.sign(b"data")

    r, s = strict_der(signature)

    assert r > 0 and s > 0
    with pytest.raises(WebAuthnRefused):
        strict_der(signature + b"\x00")


@pytest.mark.parametrize("algorithm", [ES256, EDDSA, RS256])
def test_a_packed_attestation_with_a_certificate_is_checked_and_agrees_with_py_webauthn(algorithm):
    """SECURITY.md 40: the certificate's key must have made the statement's signature (no certificate is
    trusted: the format is checked, not the make of authenticator)."""
    authenticator = Authenticator(
        algorithm=algorithm, fmt="packed", attestation_key=ec.generate_private_key(ec.SECP256R1())
    )
    challenge = os.urandom(32)
    response = authenticator.register(challenge=challenge, rp_id=RP_ID, origin=ORIGIN)
    forged = Authenticator(
        algorithm=algorithm, fmt="packed", attestation_key=ec.generate_private_key(ec.SECP256R1())
    )
    mismatched = forged.register(challenge=challenge, rp_id=RP_ID, origin=ORIGIN)
    # The statement of one certificate with the certificate of another.
    statement = cbor2.loads(_decode(mismatched["response"]["attestationObject"]))
    original = cbor2.loads(_decode(response["response"]["attestationObject"]))
    statement["attStmt"]["x5c"] = original["attStmt"]["x5c"]
    mismatched["response"]["attestationObject"] = b64url(cbor2.dumps(statement))

    assert _outcome(lambda: _ours_register(response, challenge))
    assert _outcome(lambda: _reference_register(response, challenge))
    assert not _outcome(lambda: _ours_register(mismatched, challenge))
    assert not _outcome(lambda: _reference_register(mismatched, challenge))
