"""Removing a key takes a fresh proof by a live key of the user, never only an access token, and never
removes the last live key (SECURITY.md 35)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.handlers.hyphen import (
    Device,
    Wallet,
    challenge,
    decide,
    keys,
    only_pending,
    register_second_device,
    revocation_challenge,
    revocation_proof,
    revoke,
    revoke_with,
    sign_in,
    signed_up,
)
from tests.handlers.pakt import codes_sent_to, onboarded, signed_validation, verify_account


def _two_devices() -> tuple[Device, Device, str]:
    """Ada's phone and laptop, both live: the phone's access token."""
    phone, laptop = Device(), Device(name="laptop")
    access = signed_up(phone, "ada@example.com")["credentials"]["accessToken"]
    register_second_device(phone, laptop, "ada@example.com", access)
    return phone, laptop, access


def _live(access: str) -> dict[str, bool]:
    return {k["id"]: k["revokedAt"] is None for k in keys(access).body["keys"]}


def test_an_access_token_alone_removes_no_key(tables):
    """SECURITY.md 35, the reported attack replayed: whoever holds an access token for a moment (a stolen
    token, an unlocked browser) cannot revoke the user's keys with it."""
    phone, laptop, access = _two_devices()
    mallory = Device(name="mallory's phone")

    without = revoke_with(access, laptop.public_key, None)
    by_a_stranger = revoke(access, laptop.public_key, mallory)
    forged = revoke_with(
        access,
        laptop.public_key,
        {**revocation_proof(access, laptop.public_key, phone), "signature": mallory.sign("anything")},
    )

    assert (without.status, without.error) == (403, "STEP_UP_REQUIRED")
    assert (by_a_stranger.status, by_a_stranger.error) == (403, "STEP_UP_REFUSED")
    assert (forged.status, forged.error) == (403, "STEP_UP_REFUSED")
    assert _live(access) == {phone.public_key: True, laptop.public_key: True}
    assert sign_in(laptop).status == 200


def test_a_live_key_of_the_user_proves_a_removal_and_so_does_the_key_itself(tables, clock):
    """SECURITY.md 35."""
    phone, laptop, access = _two_devices()
    tablet = Device(name="tablet")
    clock.advance(31)  # one new-device request per user every 30 s
    register_second_device(phone, tablet, "ada@example.com", access)

    by_another = revoke(access, laptop.public_key, phone)
    by_itself = revoke(access, tablet.public_key, tablet)

    assert (by_another.status, by_itself.status) == (200, 200)
    assert _live(access) == {phone.public_key: True, laptop.public_key: False, tablet.public_key: False}


def test_a_proof_is_used_once_for_the_key_it_names(tables):
    """SECURITY.md 3 and 35: a challenge answers one attempt, for one key, of one user."""
    phone, laptop, access = _two_devices()
    proof = revocation_proof(access, laptop.public_key, phone)
    for_laptop_used_on_phone = revoke_with(
        access, phone.public_key, revocation_proof(access, laptop.public_key, phone)
    )

    first = revoke_with(access, laptop.public_key, proof)
    replayed = revoke_with(access, laptop.public_key, proof)

    assert (for_laptop_used_on_phone.status, for_laptop_used_on_phone.error) == (403, "STEP_UP_REFUSED")
    assert first.status == 200 and (replayed.status, replayed.error) == (403, "STEP_UP_REFUSED")


def test_another_users_challenge_proves_nothing(tables):
    """SECURITY.md 17 and 35."""
    phone, laptop, access = _two_devices()
    bob = Device(name="bob's phone")
    bobs_access = signed_up(bob, "bob@example.com")["credentials"]["accessToken"]
    bobs_proof = revocation_proof(bobs_access, laptop.public_key, bob)

    answer = revoke_with(access, laptop.public_key, {**bobs_proof, "publicKey": phone.public_key})

    assert (answer.status, answer.error) == (403, "STEP_UP_REFUSED")
    assert _live(access)[laptop.public_key] is True


def test_the_last_live_key_is_never_removed(tables):
    """SECURITY.md 35: both removals were proved while both keys were live; the store's count of live keys
    lets only the first through."""
    phone, laptop, access = _two_devices()
    remove_laptop = revocation_proof(access, laptop.public_key, laptop)
    remove_phone = revocation_proof(access, phone.public_key, phone)

    first = revoke_with(access, laptop.public_key, remove_laptop)
    last = revoke_with(access, phone.public_key, remove_phone)

    assert first.status == 200
    assert (last.status, last.error) == (409, "LAST_KEY")
    assert _live(access) == {phone.public_key: True, laptop.public_key: False}
    assert sign_in(phone).status == 200


def test_a_wallet_proves_a_removal_with_eip_191(tables):
    """SECURITY.md 35: a wallet-only account adds a phone, then removes it with the wallet's signature."""
    wallet = Wallet()
    email = f"wallet-{uuid.uuid4().hex[:12]}@example.com"
    access = onboarded(wallet.account, email)["tempToken"]["token"]
    assert verify_account(access, codes_sent_to(email)[-1]).status == 200
    phone = Device()
    register_second_device(wallet, phone, email, access)

    answer = revoke(access, phone.public_key, wallet)

    assert answer.status == 200
    assert challenge(phone).status == 400  # revoked: told to register


def test_a_challenge_names_a_key_only(tables):
    _, _, access = _two_devices()

    answer = revocation_challenge(access, "not-a-key")

    assert (answer.status, answer.error) == (404, "KEY_NOT_FOUND")


def _wallet_and_phone() -> tuple[Wallet, Device, str]:
    """A wallet-only account that has added a phone: the wallet, the phone and the phone's access token."""
    wallet, phone = Wallet(), Device()
    email = f"wallet-{uuid.uuid4().hex[:12]}@example.com"
    access = onboarded(wallet.account, email)["tempToken"]["token"]
    assert verify_account(access, codes_sent_to(email)[-1]).status == 200
    phones_access = register_second_device(wallet, phone, email, access)["credentials"]["accessToken"]
    assert revoke(phones_access, wallet.public_key, phone).status == 200
    return wallet, phone, phones_access


def _number(answer: Any) -> str:
    return re.findall(r"with the number (\d{2})$", answer.body["message"])[0]


def test_a_revoked_wallet_is_reinstated_after_a_cooling_off_in_view_of_the_users_devices(tables, clock):
    """SECURITY.md 35: a wallet revoked by mistake is not burnt; proving possession again asks the user's
    devices, and signs in once the cooling-off has passed with no denial."""
    wallet, phone, access = _wallet_and_phone()

    asked = signed_validation(wallet.account)
    again = signed_validation(wallet.account)
    shown = only_pending(access)
    clock.advance(24 * 3600 + 1)
    reinstated = signed_validation(wallet.account)

    assert (asked.status, asked.body["data"]["code"]) == (409, "KEY_REINSTATEMENT_PENDING")
    assert (again.status, _number(again)) == (409, _number(asked))  # the same request, asked once
    assert shown["purpose"] == "key.reinstate" and wallet.public_key in shown["payload"]
    assert reinstated.status == 202 and reinstated.body["data"]["isOnboarded"] is True
    wallets_access = reinstated.body["data"]["tempToken"]["token"]
    assert _live(wallets_access) == {wallet.public_key: True, phone.public_key: True}
    assert revoke(wallets_access, phone.public_key, wallet).status == 200  # the wallet counts as live again


def test_a_device_that_denies_a_reinstatement_keeps_the_wallet_out(tables, clock):
    """SECURITY.md 35: a stolen wallet that was revoked on purpose stays revoked."""
    wallet, phone, access = _wallet_and_phone()
    signed_validation(wallet.account)

    assert decide(access, only_pending(access), phone, "deny").status == 200
    clock.advance(24 * 3600 + 1)

    refused = signed_validation(wallet.account)
    assert (refused.status, refused.body["data"]["code"]) == (401, "SIGN_IN_FAILED")
    key = tables["UsersTable"].get_item(Key={"pk": f"key#wallet#{wallet.public_key}"})["Item"]
    assert "revoked_at" in key


def test_a_device_that_approves_with_the_wallets_number_reinstates_it_at_once(tables):
    """SECURITY.md 35 and 44."""
    wallet, phone, access = _wallet_and_phone()
    asked = signed_validation(wallet.account)

    assert decide(access, only_pending(access), phone, number=_number(asked)).status == 200

    assert signed_validation(wallet.account).status == 202
    assert _live(access)[wallet.public_key] is True
