"""E-mail verification after onboarding: a 6-digit code through SES, attempts limited, accepted once."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.handlers.pakt import codes_sent_to, new_wallet, onboarded, resend, verify_account


@pytest.fixture
def user(tables) -> dict[str, Any]:
    email = f"verify-{time.time_ns()}@example.com"
    return {"email": email, **onboarded(new_wallet(), email)}


def _user_item(tables: dict[str, Any]) -> dict[str, Any]:
    [item] = [
        i for i in tables["UsersTable"].scan(ConsistentRead=True)["Items"] if i["pk"].startswith("user#")
    ]
    return item


def test_onboarding_e_mails_a_six_digit_code_stored_only_as_a_keyed_digest(user, tables):
    """SECURITY.md 19 (the same rules as secure actions' codes)."""
    [code] = codes_sent_to(user["email"])
    [item] = [
        i for i in tables["ChallengesTable"].scan()["Items"] if i["pk"].startswith("email-verification#")
    ]

    assert len(code) == 6 and code.isdigit()
    assert code not in json.dumps(item, default=repr)
    assert len(bytes(item["code_digest"].value)) == 32


def test_the_right_code_verifies_the_address_once(user, tables):
    [code] = codes_sent_to(user["email"])
    token = user["tempToken"]["token"]

    status, _, body = verify_account(token, code)

    assert status == 200 and body == {
        "status": "success",
        "message": "account verified",
        "data": {"isVerified": True},
    }
    assert _user_item(tables)["email_verified"] is True
    assert verify_account(token, code).status == 400  # used up


def test_a_wrong_code_is_refused_and_after_five_the_code_locks(user, tables):
    """SECURITY.md 20."""
    [code] = codes_sent_to(user["email"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    token = user["tempToken"]["token"]

    statuses = [verify_account(token, wrong).status for _ in range(5)]
    status, _, body = verify_account(token, code)  # even the right one, now

    assert statuses == [400] * 5
    assert status == 429 and body["data"]["code"] == "CODE_LOCKED"
    assert _user_item(tables)["email_verified"] is False


def test_a_resent_code_replaces_the_earlier_one_and_resends_are_rate_limited(user, tables, clock):
    """SECURITY.md 21."""
    token = user["tempToken"]["token"]
    assert resend(token).status == 429  # onboarding sent one a moment ago
    clock.advance(61)

    status, _, body = resend(token)

    assert status == 200 and body["data"]["isVerified"] is False
    first, second = codes_sent_to(user["email"])
    if first != second:
        assert verify_account(token, first).status == 400
    assert verify_account(token, second).status == 200


def test_an_expired_code_still_in_the_table_is_refused(user, tables, clock):
    """SECURITY.md 4."""
    [code] = codes_sent_to(user["email"])
    [item] = [
        i for i in tables["ChallengesTable"].scan()["Items"] if i["pk"].startswith("email-verification#")
    ]
    tables["ChallengesTable"].update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(clock()) - 1},
    )

    assert verify_account(user["tempToken"]["token"], code).status == 400


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_codes_that_are_not_six_digits_get_400_without_counting_an_attempt(user, tables, code):
    status, _, body = verify_account(user["tempToken"]["token"], code)

    assert status == 400 and body["data"]["code"] == "INVALID_REQUEST"
    [item] = [
        i for i in tables["ChallengesTable"].scan()["Items"] if i["pk"].startswith("email-verification#")
    ]
    assert item["attempts"] == 0


def test_verification_needs_the_users_access_token(user):
    [code] = codes_sent_to(user["email"])

    assert verify_account("not-a-token", code).status == 401
    assert resend("not-a-token").status == 401
