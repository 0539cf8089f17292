"""A wallet approves and denies as a device does, with an EIP-191 signature (eth-account's) of the same
approval digest: an account with no device key can veto its own recovery, and decide every purpose."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Clock
from tests.handlers.hyphen import (
    Device,
    Wallet,
    approval_digest,
    decide,
    finish_recovery,
    finish_two_factor,
    only_pending,
    pending,
    recovered_to_cooling_off,
    request_two_factor,
)
from tests.handlers.keyless import created, get
from tests.handlers.pakt import codes_sent_to, onboarded, verify_account
from tests.handlers.unloq import PAYMENT, authorize, defined, get_approval, pay


@pytest.fixture
def wallet_user(tables) -> tuple[Wallet, str, str]:
    """A wallet-only account with a verified address: the wallet, the address and an access token."""
    wallet = Wallet()
    email = f"wallet-{uuid.uuid4().hex[:12]}@example.com"
    access = onboarded(wallet.account, email)["tempToken"]["token"]
    assert verify_account(access, codes_sent_to(email)[-1]).status == 200
    return wallet, email, access


def _user_id(tables: dict[str, Any], wallet: Wallet) -> str:
    key = tables["UsersTable"].get_item(Key={"pk": f"key#wallet#{wallet.public_key}"})["Item"]
    return str(key["user_id"])


def test_a_wallet_only_account_denies_its_recovery(tables, clock: Clock, wallet_user):
    """SECURITY.md 36, the reported attack replayed: someone holding the mailbox recovers a wallet-only
    account; the wallet sees the request and stops it."""
    wallet, email, access = wallet_user
    attacker = Device(name="attacker's phone")
    recovery_id, confirmed = recovered_to_cooling_off(attacker, email)
    shown = only_pending(access)

    status, _, decided = decide(access, shown, wallet, "deny")

    assert shown["purpose"] == "account.recovery" and attacker.fingerprint in shown["payload"]
    assert (status, decided["state"]) == (200, "denied")
    clock.advance(24 * 3600 + 1)
    finished = finish_recovery(recovery_id, attacker.sign(confirmed["challengeData"]))
    assert (finished.status, finished.error) == (403, "RECOVERY_DENIED")
    item = tables["OperationsTable"].get_item(Key={"pk": f"assent#{recovery_id}"})["Item"]
    assert item["decided_by"] == f"wallet#{wallet.public_key}"


def test_a_wallet_approves_a_clients_operation(tables, api_key, wallet_user):
    """SECURITY.md 36."""
    wallet, _, access = wallet_user
    created(api_key, _user_id(tables, wallet))

    status, _, decided = decide(access, only_pending(access), wallet, auth_type="pin")

    assert (status, decided["state"]) == (200, "approved")
    assert get(api_key, "order-1").body["state"] == "approved"


def test_a_wallet_approves_a_new_device(tables, wallet_user):
    """SECURITY.md 36: a wallet-only account signs in on a phone with the wallet's approval."""
    wallet, email, access = wallet_user
    phone = Device()
    _, _, requested = request_two_factor(phone, email)

    assert decide(access, only_pending(access), wallet, number=requested["number"]).status == 200

    status, _, body = finish_two_factor(
        requested["twoFactorAuth"]["id"], phone.sign(requested["challengeData"])
    )
    assert status == 200 and body["account"]["id"] == _user_id(tables, wallet)


def test_a_wallet_denies_an_authorisation_request(tables, api_key, wallet_user):
    """SECURITY.md 36."""
    wallet, email, access = wallet_user
    defined(api_key, PAYMENT)
    _, _, answer = authorize(api_key, "demo-code", pay(email))

    assert decide(access, only_pending(access), wallet, "deny").status == 200

    assert get_approval(api_key, answer["result"]["id"]).error == "APPROVAL.DENIED"


def test_a_decision_is_the_wallets_only_if_it_signed_this_digest(tables, api_key, wallet_user):
    """SECURITY.md 13 and 36: another wallet's signature, or one of another digest, decides nothing."""
    wallet, _, access = wallet_user
    created(api_key, _user_id(tables, wallet))
    shown = only_pending(access)
    stranger = Wallet()

    by_stranger = decide(access, shown, stranger, signature=stranger.sign(approval_digest("approve", shown)))
    signed_by_stranger = decide(
        access, shown, wallet, signature=stranger.sign(approval_digest("approve", shown))
    )
    other_digest = decide(access, shown, wallet, signature=wallet.sign(approval_digest("deny", shown)))

    assert [a.status for a in (by_stranger, signed_by_stranger, other_digest)] == [403, 403, 403]
    assert {a.error for a in (by_stranger, signed_by_stranger, other_digest)} == {"APPROVAL_REFUSED"}
    assert pending(access).body["operations"] == [shown]


def test_a_wallet_address_with_a_broken_checksum_is_a_400(tables, api_key, wallet_user):
    wallet, _, access = wallet_user
    created(api_key, _user_id(tables, wallet))
    shown = only_pending(access)
    address = wallet.public_key
    broken = address[:2] + "".join(c.swapcase() if c.isalpha() else c for c in address[2:])

    class Misnamed(Wallet):
        @property
        def public_key(self) -> str:
            return broken

    answer = decide(access, shown, Misnamed(account=wallet.account))

    assert any(c.isupper() for c in broken) and any(c.islower() for c in broken[2:])
    assert (answer.status, answer.error) == (400, "INVALID_KEY")
