"""Wallet signatures: EIP-191 personal-sign recovery on coincurve's native secp256k1 (libsecp256k1).

Written against coincurve and pycryptodome's Keccak directly rather than through eth-account: eth-account
takes over a second to import and four times the native recovery time per call (`python -m bench`), for
what is one hash, one recovery and one more hash. Tests check it against eth-account's own signatures.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import coincurve
from Crypto.Hash import keccak

from assent.crypto.eip55 import to_checksum_address
from assent.model.users import WALLET_SIGNATURE_PATTERN

_SIGNATURE = re.compile(WALLET_SIGNATURE_PATTERN)
# personal_sign's recovery id: 27/28, or 0/1 from signers that leave it raw; 35+ (EIP-155) is transactions'.
_RECOVERY_IDS = {0: 0, 1: 1, 27: 0, 28: 1}
_CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# What a service is given to check wallet signatures, so that only a wallet's signature loads coincurve:
# (message, signature) -> the address whose EIP-191 signature it is, or None if it recovers none.
RecoverSigner = Callable[[str, str], "str | None"]


class InvalidSignature(ValueError):
    """Not a signature that recovers any address (SECURITY.md 9)."""


def _keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def personal_message_hash(message: str) -> bytes:
    """EIP-191 version 0x45: what `personal_sign` signs for a text message."""
    body = message.encode("utf-8")
    return _keccak256(b"\x19Ethereum Signed Message:\n" + str(len(body)).encode("ascii") + body)


def recover_signer(message: str, signature: str) -> str:
    """The checksummed address whose key signed `message` under EIP-191; raises InvalidSignature."""
    if not _SIGNATURE.match(signature) or int(signature[-2:], 16) not in _RECOVERY_IDS:
        raise InvalidSignature("a signature is 0x and 65 bytes of hex, ending in a recovery id")
    raw = bytes.fromhex(signature[2:])
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")
    if not (0 < r < _CURVE_ORDER and 0 < s < _CURVE_ORDER):
        raise InvalidSignature("r and s must lie between 1 and the curve order")
    recoverable = raw[:64] + bytes([_RECOVERY_IDS[raw[64]]])
    try:
        public_key = coincurve.PublicKey.from_signature_and_message(
            recoverable, personal_message_hash(message), hasher=None
        )
    except ValueError as error:  # r is no point's x coordinate, or the key is the point at infinity
        raise InvalidSignature("the signature does not recover an address") from error
    address = _keccak256(public_key.format(compressed=False)[1:])[-20:]
    return to_checksum_address("0x" + address.hex())
