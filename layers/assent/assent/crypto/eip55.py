"""Ethereum addresses in their one canonical form: EIP-55 mixed-case checksums (SECURITY.md 8).

Keccak comes from pycryptodome, which loads in milliseconds; eth-utils would bring much of eth-account along.
"""

from __future__ import annotations

from Crypto.Hash import keccak

from assent.model.users import is_wallet_address


class InvalidAddress(ValueError):
    pass


def to_checksum_address(address: str) -> str:
    """The EIP-55 form of a well-formed address; mixed case must already be a valid checksum."""
    if not is_wallet_address(address):
        raise InvalidAddress("an address is 0x and 40 hexadecimal digits")
    digits = address[2:]
    lowered = digits.lower()
    hashed = keccak.new(digest_bits=256, data=lowered.encode("ascii")).hexdigest()
    checksummed = "0x" + "".join(
        char.upper() if int(nibble, 16) >= 8 else char for char, nibble in zip(lowered, hashed, strict=False)
    )
    # All-lower and all-upper carry no checksum (EIP-55); any other mix must be exactly the checksum.
    if digits not in (lowered, digits.upper()) and address != checksummed:
        raise InvalidAddress("the address's mixed case is not a valid EIP-55 checksum")
    return checksummed
