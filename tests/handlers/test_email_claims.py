"""An e-mail address belongs to the account that verified it: one typed at onboarding claims nothing until
its code is entered, so it cannot be used to take the address's owner over (SECURITY.md 34)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from assent_tools.store import sent_mail
from tests.conftest import Clock
from tests.handlers.hyphen import (
    Device,
    confirm_recovery,
    finish_recovery,
    recover,
    sign_up,
)
from tests.handlers.pakt import (
    codes_sent_to,
    new_wallet,
    onboard,
    onboarded,
    signed_validation,
    verify_account,
)


@pytest.fixture
def victim() -> str:
    """An address no other test writes to (moto's SES keeps every test's mail)."""
    return f"victim-{uuid.uuid4().hex[:12]}@example.com"


def _claim(tables: dict[str, Any], email: str) -> str | None:
    """The user the store routes this address to, if any."""
    item = tables["UsersTable"].get_item(Key={"pk": f"email#{email}"}, ConsistentRead=True).get("Item")
    return str(item["user_id"]) if item else None


def _subjects_to(email: str) -> list[str]:
    return [
        mail["subject"]
        for mail in sent_mail("us-east-1")
        if mail["destinations"] and email in mail["destinations"]["ToAddresses"]
    ]


def _onboarding_answer(email: str) -> tuple[int, list[str], dict[str, Any]]:
    _, _, validated = signed_validation(new_wallet())
    status, _, body = onboard(validated["data"]["tempToken"]["token"], email)
    return status, sorted(body["data"]), {"status": body["status"], "isVerified": body["data"]["isVerified"]}


def test_onboarding_answers_alike_for_a_taken_and_a_fresh_address(tables, victim):
    """SECURITY.md 34: onboarding is no oracle of who has an account."""
    sign_up(Device(), victim)

    taken = _onboarding_answer(victim)
    fresh = _onboarding_answer("fresh@example.com")

    assert (
        taken
        == fresh
        == (
            200,
            ["isVerified", "refreshToken", "tempToken"],
            {
                "status": "success",
                "isVerified": False,
            },
        )
    )
    victim_id = _claim(tables, victim)
    assert victim_id is not None and sign_up(Device(), victim).error == "EMAIL_TAKEN"


def test_an_address_is_claimed_in_the_write_that_verifies_it(tables, victim):
    """SECURITY.md 34."""
    data = onboarded(new_wallet(), victim)
    assert _claim(tables, victim) is None

    [code] = codes_sent_to(victim)
    assert verify_account(data["tempToken"]["token"], code).status == 200

    [user] = [i for i in tables["UsersTable"].scan()["Items"] if i["kind"] == "user"]
    assert user["email_verified"] is True and _claim(tables, victim) == user["user_id"]


def test_the_takeover_by_an_unverified_address_fails_at_every_step(tables, clock: Clock, victim):
    """SECURITY.md 34, the reported attack replayed: an attacker onboards a wallet with the victim's address
    and never verifies it; the victim signs up, and recovers, onto their own account."""
    attacker = onboarded(new_wallet(), victim)
    [attackers_code] = codes_sent_to(victim)  # the verification code goes to the victim's mailbox

    # Unverified, the address routes nothing: a recovery of it mails nothing and waits on no one.
    started = recover(Device(), victim)
    assert started.status == 202 and "Your account recovery code" not in _subjects_to(victim)

    # The victim's sign-up, which the provider vouches for, is no conflict.
    victim_phone = Device(name="victim's phone")
    status, _, signed = sign_up(victim_phone, victim)
    assert status == 201
    victim_id = signed["account"]["id"]
    assert _claim(tables, victim) == victim_id

    # The attacker's account can no longer verify the address, even with the code in hand.
    verified = verify_account(attacker["tempToken"]["token"], attackers_code)
    assert (verified.status, verified.body["data"]["code"]) == (409, "EMAIL_TAKEN")
    attackers_user = [
        i for i in tables["UsersTable"].scan()["Items"] if i["kind"] == "user" and i["user_id"] != victim_id
    ]
    assert [u["email_verified"] for u in attackers_user] == [False]

    # The victim, having lost the phone, recovers onto their own account.
    replacement = Device(name="victim's new phone")
    started = recover(replacement, victim).body
    code = codes_sent_to(victim)[-1]
    confirmed = confirm_recovery(started["recoveryId"], code, replacement.sign(started["recoveryId"]))
    assert confirmed.status == 202
    clock.advance(24 * 3600 + 1)
    finished = finish_recovery(started["recoveryId"], replacement.sign(confirmed.body["challengeData"]))
    assert finished.status == 200 and finished.body["account"]["id"] == victim_id


def test_of_two_unverified_claims_the_first_verified_wins(tables, victim):
    """SECURITY.md 34: the store, not a read, decides whose the address is."""
    first = onboarded(new_wallet(), victim)
    second = onboarded(new_wallet(), victim)
    first_code, second_code = codes_sent_to(victim)

    assert verify_account(second["tempToken"]["token"], second_code).status == 200
    late = verify_account(first["tempToken"]["token"], first_code)

    assert (late.status, late.body["data"]["code"]) == (409, "EMAIL_TAKEN")
    verified = [
        i for i in tables["UsersTable"].scan()["Items"] if i["kind"] == "user" and i["email_verified"]
    ]
    assert [u["user_id"] for u in verified] == [_claim(tables, victim)]
