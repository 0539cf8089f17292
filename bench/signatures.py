"""µs per signature check. Wallets: recovery through Assent's code, through eth-account, and through
eth-keys without coincurve, against the native floor (coincurve recovering from the same hash). Device keys:
P-256 verification through Assent's code (hex parsing and range checks included) against `cryptography`
verifying the same DER signature directly. Medians and spreads of one run; the goal is within 3x of the floor.

    .venv/bin/python -m bench signatures
"""

from __future__ import annotations

import time

import coincurve
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from eth_keys.backends import NativeECCBackend
from eth_keys.datatypes import Signature

from assent.crypto.p256 import public_key
from assent.crypto.wallets import recover_signer
from bench.report import median, print_table, spread

ROUNDS, PER_ROUND = 15, 40


def _timed(function) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(PER_ROUND):
            function()
        samples.append((time.perf_counter() - start) / PER_ROUND * 1e6)
    return samples


def _report(title: str, results: dict[str, list[float]], floor_name: str) -> None:
    floor = median(results[floor_name])
    rows = [
        [name, f"{median(samples):.1f}", spread(samples), f"{median(samples) / floor:.1f}"]
        for name, samples in results.items()
    ]
    print_table([title, "median µs", "IQR µs", "x floor"], rows)


def _p256() -> dict[str, list[float]]:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    key = public_key(numbers.x.to_bytes(32, "big").hex() + numbers.y.to_bytes(32, "big").hex())
    challenge = ("ab" * 32).encode()
    der = private.sign(challenge, ec.ECDSA(SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big").hex() + s.to_bytes(32, "big").hex()
    direct = private.public_key()
    assert key.verify(challenge, signature)
    return {
        "cryptography, DER, key parsed once (floor)": _timed(
            lambda: direct.verify(der, challenge, ec.ECDSA(SHA256()))
        ),
        "assent.crypto.p256 PublicKey.verify (r‖s hex)": _timed(lambda: key.verify(challenge, signature)),
        "assent.crypto.p256 public_key(x‖y hex) + verify": _timed(
            lambda: public_key(key.hex).verify(challenge, signature)
        ),
    }


def main() -> None:
    wallet = Account.create()
    message = "localhost wants you to sign in with your Ethereum account:\n" + wallet.address
    signed = wallet.sign_message(encode_defunct(text=message))
    signature = "0x" + bytes(signed.signature).hex()
    digest = _hash_eip191_message(encode_defunct(text=message))
    vrs = bytes(signed.signature)
    recoverable = vrs[:64] + bytes([vrs[64] - 27])
    native_signature = Signature(recoverable, backend=NativeECCBackend())

    assert recover_signer(message, signature) == wallet.address
    results = {
        "coincurve, from the hash (floor)": _timed(
            lambda: coincurve.PublicKey.from_signature_and_message(recoverable, digest, hasher=None)
        ),
        "assent.crypto.wallets.recover_signer (hash, recover, address)": _timed(
            lambda: recover_signer(message, signature)
        ),
        "eth-account Account.recover_message (on coincurve)": _timed(
            lambda: Account.recover_message(encode_defunct(text=message), signature=signature)
        ),
        "eth-keys without coincurve (pure Python)": _timed(
            lambda: native_signature.recover_public_key_from_msg_hash(digest)
        ),
    }
    _report("wallet recovery (secp256k1)", results, "coincurve, from the hash (floor)")
    print()
    _report("device key verification (P-256)", _p256(), "cryptography, DER, key parsed once (floor)")


if __name__ == "__main__":
    main()
