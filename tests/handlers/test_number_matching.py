"""A new device or a recovery is approved only with the two-digit number the new device shows, as UNLOQ's
number-matching actions are: a person tapping "approve" on a request they did not make approves nothing
(SECURITY.md 44). Such requests count in the user's approval-request limit (SECURITY.md 18)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Clock, another_client_key
from tests.handlers.hyphen import (
    Device,
    challenge,
    decide,
    finish_recovery,
    finish_two_factor,
    only_pending,
    pending,
    recovered_to_cooling_off,
    request_two_factor,
    signed_up,
)
from tests.handlers.keyless import create

PER_USER = 10  # the template's default ApprovalRequestsPerUserPerMinute


def _other(number: str) -> str:
    return f"{(int(number) - 10 + 1) % 90 + 10}"


def _user(device: Device, email: str) -> tuple[str, str]:
    body = signed_up(device, email)
    return body["account"]["id"], body["credentials"]["accessToken"]


def test_a_new_device_shows_a_number_that_approving_takes(tables):
    """SECURITY.md 44."""
    phone, laptop = Device(), Device(name="laptop")
    _, access = _user(phone, "ada@example.com")
    status, _, requested = request_two_factor(laptop, "ada@example.com")
    shown = only_pending(access)

    without = decide(access, shown, phone)
    approved = decide(access, shown, phone, number=requested["number"])
    finished = finish_two_factor(requested["twoFactorAuth"]["id"], laptop.sign(requested["challengeData"]))

    assert status == 201 and len(requested["number"]) == 2 and requested["number"].isdigit()
    assert shown["numberMatching"] is True and shown["digests"]["approve"] is None
    assert "number" not in shown  # the approving device is never told it
    assert (without.status, without.error) == (400, "NUMBER_REQUIRED")
    assert approved.status == 200 and finished.status == 200


def test_a_wrong_number_denies_the_new_device(tables):
    """SECURITY.md 44: the person has not seen the new device's screen; no second try is offered."""
    phone, laptop = Device(), Device(name="laptop")
    _, access = _user(phone, "ada@example.com")
    _, _, requested = request_two_factor(laptop, "ada@example.com")
    shown = only_pending(access)

    wrong = decide(access, shown, phone, number=_other(requested["number"]))
    right = decide(access, shown, phone, number=requested["number"])
    finished = finish_two_factor(requested["twoFactorAuth"]["id"], laptop.sign(requested["challengeData"]))

    assert (wrong.status, wrong.error) == (403, "NUMBER_MISMATCH")
    assert (right.status, right.error) == (409, "OPERATION_NOT_PENDING")
    assert (finished.status, finished.error) == (403, "TWO_FACTOR_DENIED")
    assert challenge(laptop).status == 400  # never registered


def test_a_recovery_is_approved_early_only_with_its_number(tables, clock: Clock):
    """SECURITY.md 44: the recovering device shows the number; a device approving without reading it
    denies the recovery for good."""
    phone = Device()
    _, access = _user(phone, "ada@example.com")
    first, second = Device(name="new phone"), Device(name="another new phone")
    first_id, first_confirmed = recovered_to_cooling_off(first, "ada@example.com")
    clock.advance(61)  # one recovery code a minute per account
    second_id, second_confirmed = recovered_to_cooling_off(second, "ada@example.com")
    by_id: dict[str, Any] = {op["operationId"]: op for op in pending(access).body["operations"]}

    approved = decide(access, by_id[first_id], phone, number=first_confirmed["number"])
    mismatched = decide(access, by_id[second_id], phone, number=_other(second_confirmed["number"]))

    assert approved.status == 200 and (mismatched.status, mismatched.error) == (403, "NUMBER_MISMATCH")
    assert finish_recovery(first_id, first.sign(first_confirmed["challengeData"])).status == 200
    clock.advance(24 * 3600 + 1)
    late = finish_recovery(second_id, second.sign(second_confirmed["challengeData"]))
    assert (late.status, late.error) == (403, "RECOVERY_DENIED")


def test_new_device_requests_count_in_the_users_request_limit(api_key, tables):
    """SECURITY.md 18: a flood of new-device requests meets the same per-user limit as clients' requests."""
    phone = Device()
    user_id, _ = _user(phone, "ada@example.com")
    other = another_client_key()  # one client may send a user only 5 a minute
    for n in range(PER_USER - 1):
        client = api_key if n % 2 else other
        assert create(client, {"operationId": f"op-{n}"}, user=user_id).status == 200
    assert request_two_factor(Device(), "ada@example.com").status == 201

    refused = create(api_key, {"operationId": "one-more"}, user=user_id)

    assert (refused.status, refused.body["code"]) == (429, "TOO_MANY_REQUESTS")
