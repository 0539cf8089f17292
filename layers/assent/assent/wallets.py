"""Wallet signatures: EIP-191 personal-sign recovery through eth-account, on coincurve's native secp256k1.

Importing eth-account takes over a second, so only the function that verifies wallet signatures imports
this module (a test checks that no other function loads it).
"""

from __future__ import annotations

import re

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError

SIGNATURE_PATTERN = r"^0x[0-9a-fA-F]{130}$"
_SIGNATURE = re.compile(SIGNATURE_PATTERN)
# personal_sign's recovery id: 27/28, or 0/1 from signers that leave it raw; 35+ (EIP-155) is transactions'.
_RECOVERY_IDS = frozenset({0, 1, 27, 28})


class InvalidSignature(ValueError):
    """Not a signature that recovers any address (SECURITY.md 9)."""


def recover_signer(message: str, signature: str) -> str:
    """The checksummed address whose key signed `message` under EIP-191; raises InvalidSignature."""
    if not _SIGNATURE.match(signature) or int(signature[-2:], 16) not in _RECOVERY_IDS:
        raise InvalidSignature("a signature is 0x and 65 bytes of hex, ending in a recovery id")
    try:
        address: str = Account.recover_message(encode_defunct(text=message), signature=signature)
    except (ValueError, BadSignature, ValidationError) as error:
        raise InvalidSignature("the signature does not recover an address") from error
    return address
