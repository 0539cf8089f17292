"""The P-256 verifier against Wycheproof's P1363 vectors, and the shapes of keys and signatures it takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

from assent.crypto.p256 import InvalidKey, public_key

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "wycheproof"
P1363 = VECTORS / "ecdsa_secp256r1_sha256_p1363_test.json"
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _raw(private: ec.EllipticCurvePrivateKey) -> str:
    numbers = private.public_key().public_numbers()
    return numbers.x.to_bytes(32, "big").hex() + numbers.y.to_bytes(32, "big").hex()


def _p1363(private: ec.EllipticCurvePrivateKey, message: bytes) -> tuple[int, int]:
    r, s = decode_dss_signature(private.sign(message, ec.ECDSA(SHA256())))
    return r, s


def test_wycheproof_p1363_vectors_give_no_mismatch():
    """SECURITY.md 12: every valid vector verifies, every invalid one is refused."""
    suite = json.loads(P1363.read_text())
    mismatches, counted = [], {"valid": 0, "invalid": 0, "acceptable": 0}
    for group in suite["testGroups"]:
        key = public_key(group["publicKey"]["uncompressed"][2:])
        for case in group["tests"]:
            counted[case["result"]] += 1
            verified = key.verify(bytes.fromhex(case["msg"]), case["sig"])
            if case["result"] != "acceptable" and verified != (case["result"] == "valid"):
                mismatches.append(case["tcId"])

    assert mismatches == []
    assert counted["valid"] > 0 and counted["invalid"] > 0
    assert sum(counted.values()) == suite["numberOfTests"]


def test_a_high_s_signature_is_valid():
    """SECURITY.md 11: P-256 has no low-s rule; (r, n - s) verifies as (r, s) does."""
    private = ec.generate_private_key(ec.SECP256R1())
    r, s = _p1363(private, b"challenge")
    high_s = max(s, N - s)

    assert public_key(_raw(private)).verify(
        b"challenge", r.to_bytes(32, "big").hex() + high_s.to_bytes(32, "big").hex()
    )


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("01" * 64, "not on the curve"),
        ("ab" * 63, "63 bytes"),
        ("ab" * 65, "65 bytes"),
        ("zz" * 64, "not hex"),
        ("04" + "ab" * 63, "a SEC1 prefix is not x‖y"),
    ],
)
def test_a_public_key_is_exactly_64_bytes_of_a_point_on_p256(value, why):
    """SECURITY.md 10."""
    with pytest.raises(InvalidKey):
        public_key(value)


@pytest.mark.parametrize(
    ("mangle", "why"),
    [
        (lambda r, s: "00" * 32 + s.to_bytes(32, "big").hex(), "r = 0"),
        (lambda r, s: r.to_bytes(32, "big").hex() + N.to_bytes(32, "big").hex(), "s = n"),
        (lambda r, s: (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()[:-2], "63 bytes"),
        (lambda r, s: "0x" + (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()[2:], "not hex"),
    ],
)
def test_a_signature_is_exactly_64_bytes_with_r_and_s_in_range(mangle, why):
    """SECURITY.md 10."""
    private = ec.generate_private_key(ec.SECP256R1())
    r, s = _p1363(private, b"challenge")

    assert not public_key(_raw(private)).verify(b"challenge", mangle(r, s)), why
