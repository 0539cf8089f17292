"""Wallet recovery on coincurve recovers exactly what eth-account recovers, for real signatures and for
malformed ones (SECURITY.md 9): both are checked against eth-account's own signer and recovery."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from hypothesis import given, settings
from hypothesis import strategies as st

from assent.crypto.wallets import InvalidSignature, recover_signer

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
WALLET = Account.create()


def _eth_account(message: str, signature: str) -> str | None:
    try:
        address: str = Account.recover_message(encode_defunct(text=message), signature=signature)
        return address
    except Exception:
        return None


def _assent(message: str, signature: str) -> str | None:
    try:
        return recover_signer(message, signature)
    except InvalidSignature:
        return None


def _signed(message: str) -> bytes:
    return bytes(WALLET.sign_message(encode_defunct(text=message)).signature)


def _variants(signature: bytes) -> dict[str, bytes]:
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return {
        "as signed": signature,
        "high-s twin": r + (N - s).to_bytes(32, "big") + bytes([55 - v]),
        "raw recovery id": signature[:64] + bytes([v - 27]),
        "r = 0": bytes(32) + signature[32:],
        "s = 0": r + bytes(32) + signature[64:],
        "r = n": N.to_bytes(32, "big") + signature[32:],
        "s = n": r + N.to_bytes(32, "big") + signature[64:],
        "all ones": b"\xff" * 64 + signature[64:],
        "a flipped bit in r": signature[:5] + bytes([signature[5] ^ 0x10]) + signature[6:],
    }


@settings(max_examples=60, deadline=None)
@given(message=st.text(max_size=400))
def test_recovery_agrees_with_eth_account_on_every_variant(message):
    """SECURITY.md 9: malformed signatures are refused, and recovering *an* address is all either does."""
    for name, variant in _variants(_signed(message)).items():
        signature = "0x" + variant.hex()
        assert _assent(message, signature) == _eth_account(message, signature), name
    assert _assent(message, "0x" + _signed(message).hex()) == WALLET.address


@pytest.mark.parametrize("v", [2, 26, 29, 37, 38])
def test_recovery_ids_other_than_personal_signs_are_refused(v):
    """SECURITY.md 9: 35+ belongs to transactions (EIP-155); anything else is not a recovery id."""
    signature = "0x" + (_signed("hello")[:64] + bytes([v])).hex()

    with pytest.raises(InvalidSignature):
        recover_signer("hello", signature)
