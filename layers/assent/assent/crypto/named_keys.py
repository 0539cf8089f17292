"""The key a signed request names, a device key or passkey (P-256 x‖y hex) or a wallet (its address), and the
check of its signature of a text: ECDSA P-256/SHA-256 over the text's UTF-8 bytes (r‖s hex), or the
wallet's EIP-191 `personal_sign` of the text (0x and 65 bytes of hex)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assent.core.errors import InvalidKey
from assent.crypto.p256 import InvalidKey as MalformedKey
from assent.crypto.p256 import public_key
from assent.model.users import device_key, is_wallet_address, wallet_key

if TYPE_CHECKING:
    from assent.crypto.wallets import RecoverSigner


@dataclass(frozen=True)
class NamedKey:
    """A key as a request names it: its reference, and whether it signed a text."""

    ref: str
    _signed: Callable[[str, str], bool]

    def signed(self, text: str, signature: str) -> bool:
        return self._signed(text, signature)


def named_key(key_text: str, recover: RecoverSigner) -> NamedKey:
    """The device key or wallet `key_text` names; a malformed one, or a mixed-case address with a wrong
    checksum, is InvalidKey (a 400). `recover` checks wallet signatures, so only they load coincurve."""
    if is_wallet_address(key_text):
        address = checksummed(key_text)
        return NamedKey(wallet_key(address), lambda text, sig: recover(text, sig) == address)
    try:
        key = public_key(key_text)
    except MalformedKey as error:
        raise InvalidKey(str(error)) from error
    return NamedKey(device_key(key.fingerprint), lambda text, sig: key.verify(text.encode("utf-8"), sig))


def checksummed(address: str) -> str:
    """The EIP-55 form of a wallet address a request names; a wrong mixed-case checksum is InvalidKey."""
    # Imported here: pycryptodome's Keccak loads cffi and pycparser (some 20 ms of a cold start), which a
    # request naming a device key never needs.
    from assent.crypto.eip55 import InvalidAddress, to_checksum_address

    try:
        return to_checksum_address(address)
    except InvalidAddress as error:
        raise InvalidKey(str(error)) from error
