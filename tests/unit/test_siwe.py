"""EIP-4361 messages against the public SIWE vectors (spruceid/siwe), and EIP-55 against eth-utils."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eth_utils import to_checksum_address as reference_checksum

from assent.crypto.eip55 import InvalidAddress, to_checksum_address
from assent.crypto.siwe import SiweError, SiweMessage, parse, timestamp
from assent.crypto.wallets import InvalidSignature, recover_signer

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "siwe"
_FIELDS = {
    "domain": "domain",
    "address": "address",
    "statement": "statement",
    "uri": "uri",
    "version": "version",
    "chainId": "chain_id",
    "nonce": "nonce",
    "issuedAt": "issued_at",
    "expirationTime": "expiration_time",
    "notBefore": "not_before",
    "requestId": "request_id",
    "resources": "resources",
    "scheme": "scheme",
}


def _load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


def _message(fields: dict) -> SiweMessage:
    values = {_FIELDS[k]: v for k, v in fields.items() if k in _FIELDS and v is not None}
    if "resources" in values:
        values["resources"] = tuple(values["resources"])
    return SiweMessage(**values)


def _verify(case: dict) -> None:
    """The whole check a sign-in makes: parse, signature recovers the address, every field holds."""
    message = _message(case)
    signer = recover_signer(message.text(), case["signature"])
    if signer != message.address:
        raise SiweError("the signature recovers another address")
    now = timestamp(case["time"]) if "time" in case else datetime.now(UTC)
    message.check(
        domain=case.get("domainBinding", message.domain),
        uri=message.uri,
        chain_id=message.chain_id,
        nonce=case.get("matchNonce", message.nonce),
        now=now,
    )


@pytest.mark.parametrize("name", list(_load("parsing_positive.json")))
def test_parsing_positive_vectors_parse_to_their_fields_and_render_back(name):
    case = _load("parsing_positive.json")[name]

    message = parse(case["message"])

    assert message == _message(case["fields"])
    assert message.text() == case["message"]


@pytest.mark.parametrize("name", list(_load("parsing_negative.json")))
def test_parsing_negative_vectors_are_refused(name):
    with pytest.raises(SiweError):
        parse(_load("parsing_negative.json")[name])


@pytest.mark.parametrize("name", list(_load("verification_positive.json")))
def test_verification_positive_vectors_verify(name):
    """SECURITY.md 7."""
    _verify(_load("verification_positive.json")[name])


@pytest.mark.parametrize("name", list(_load("verification_negative.json")))
def test_verification_negative_vectors_are_refused(name):
    """SECURITY.md 7, 9."""
    with pytest.raises((SiweError, InvalidSignature)):
        _verify(_load("verification_negative.json")[name])


def test_checksums_agree_with_eth_utils_on_random_addresses():
    """SECURITY.md 8."""
    for _ in range(200):
        address = "0x" + secrets.token_hex(20)

        assert to_checksum_address(address) == reference_checksum(address)
        assert to_checksum_address(address.upper().replace("0X", "0x")) == reference_checksum(address)


def test_a_mixed_case_address_must_carry_a_valid_checksum():
    """SECURITY.md 8."""
    good = "0x9D85ca56217D2bb651b00f15e694EB7E713637D4"  # from the SIWE vectors
    one_letter_flipped = "0x9d85ca56217D2bb651b00f15e694EB7E713637D4"

    assert to_checksum_address(good) == good
    with pytest.raises(InvalidAddress):
        to_checksum_address(one_letter_flipped)
