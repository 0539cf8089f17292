"""µs per wallet-signature recovery: through Assent's code, against eth-keys without coincurve,
against the native floor (coincurve recovering from the same hash). Medians and spreads of one run.

    .venv/bin/python bench/signatures.py
"""

from __future__ import annotations

import statistics
import time

import coincurve
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from eth_keys.backends import NativeECCBackend
from eth_keys.datatypes import Signature

from assent.wallets import recover_signer

ROUNDS, PER_ROUND = 15, 40


def _timed(function) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(PER_ROUND):
            function()
        samples.append((time.perf_counter() - start) / PER_ROUND * 1e6)
    return samples


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
        "assent.wallets.recover_signer (eth-account on coincurve)": _timed(
            lambda: recover_signer(message, signature)
        ),
        "eth-keys without coincurve (pure Python)": _timed(
            lambda: native_signature.recover_public_key_from_msg_hash(digest)
        ),
    }
    floor = statistics.median(results["coincurve, from the hash (floor)"])
    print(f"{'recovery':58} {'median µs':>10} {'IQR µs':>14} {'x floor':>8}")
    for name, samples in results.items():
        q1, _, q3 = statistics.quantiles(samples, n=4)
        median = statistics.median(samples)
        print(f"{name:58} {median:10.1f} {q1:6.1f}-{q3:<7.1f} {median / floor:8.1f}")


if __name__ == "__main__":
    main()
