"""Lock-out (SECURITY.md 28): failures are counted per account and per factor across challenges, codes and
recovery ids; five are free, then each locks the factor for 2^(n-5) s (at most 15 minutes); attempts during
a lock get 429 and count for nothing; 100 in a row disable the factor until another is proved or an operator
resets it, and the user is told by e-mail. Recovery codes: at most 10 failures per account in 24 hours."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from assent_tools.store import sent_mail
from tests.conftest import Answer, Clock
from tests.handlers import metasky
from tests.handlers.hyphen import (
    Device,
    challenge,
    confirm_recovery,
    recover,
    register_second_device,
    respond,
    signed_up,
)
from tests.handlers.pakt import (
    codes_sent_to,
    new_wallet,
    onboarded,
    request,
    resend,
    sign,
    validate,
    verify_account,
)


@pytest.fixture
def email() -> str:
    return f"locked-{uuid.uuid4().hex[:12]}@example.com"


def _user_item(tables: dict[str, Any], email: str) -> dict[str, Any]:
    [item] = [i for i in tables["UsersTable"].scan()["Items"] if i["kind"] == "user" and i["email"] == email]
    return item


def _wrong_sign_in(device: Device) -> Answer:
    """A sign-in answering a real challenge with another key's signature."""
    issued = challenge(device).body["challengeData"]
    return respond(device, issued, signature=Device().sign(issued))


def _sign_in(device: Device) -> Answer:
    issued = challenge(device).body["challengeData"]
    return respond(device, issued)


def test_five_wrong_signatures_are_free_then_each_locks_longer(tables, clock: Clock, email):
    """SECURITY.md 28: the attack is a run of wrong signatures on a user's device key."""
    phone = Device()
    signed_up(phone, email)

    free = [_wrong_sign_in(phone).status for _ in range(5)]
    sixth = _wrong_sign_in(phone)
    during_lock = _wrong_sign_in(phone)
    right_during_lock = _sign_in(phone)
    item = _user_item(tables, email)

    assert free == [401] * 5 and sixth.status == 401
    assert (during_lock.status, during_lock.error) == (429, "FACTOR_LOCKED")
    assert (right_during_lock.status, right_during_lock.error) == (429, "FACTOR_LOCKED")
    assert item["failures_device_key"] == 6  # the attempts during the lock counted for nothing
    assert item["locked_until_device_key"] == int(clock()) + 2

    clock.advance(2)
    assert _sign_in(phone).status == 200
    item = _user_item(tables, email)
    assert "failures_device_key" not in item and "locked_until_device_key" not in item


def test_locks_double_up_to_fifteen_minutes(tables, clock: Clock, email):
    """SECURITY.md 28: the n-th failure in a row locks for 2^(n-5) s, never more than 900 s."""
    phone = Device()
    signed_up(phone, email)
    locks = []
    for _ in range(16):
        assert _wrong_sign_in(phone).status == 401
        until = int(_user_item(tables, email).get("locked_until_device_key", clock()))
        locks.append(until - int(clock()))
        clock.advance(max(until - clock(), 0))

    assert locks == [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_a_hundred_failures_disable_the_factor_and_tell_the_user_until_another_factor_is_proved(
    tables, clock: Clock, email
):
    """SECURITY.md 28: the factor is off, the address is told, and a passkey's sign-in turns it back on."""
    phone = Device()
    access = signed_up(phone, email)["credentials"]["accessToken"]
    laptop = Device(name="laptop", key_type="passKey")
    register_second_device(phone, laptop, email, access)
    for _ in range(100):
        assert _wrong_sign_in(phone).status == 401
        clock.advance(901)

    disabled = _sign_in(phone)
    notices = [m for m in sent_mail("us-east-1") if m["destinations"]["ToAddresses"] == [email]]
    by_passkey = _sign_in(laptop)

    assert (disabled.status, disabled.error) == (429, "FACTOR_DISABLED")
    assert [m["subject"] for m in notices][-1] == "A way of signing in to your account was turned off"
    assert by_passkey.status == 200
    assert _sign_in(phone).status == 200


def test_wrong_e_mailed_codes_count_across_codes(tables, clock: Clock, email):
    """SECURITY.md 28: a new code does not start a new run; the run is the user's."""
    access = onboarded(new_wallet(), email)["tempToken"]["token"]
    first = codes_sent_to(email)[-1]
    wrong = f"{(int(first) + 1) % 1_000_000:06d}"
    answers = [verify_account(access, wrong).status for _ in range(5)]  # this code's own five tries
    clock.advance(61)
    assert resend(access).status == 200
    second = codes_sent_to(email)[-1]

    sixth = verify_account(access, wrong if wrong != second else first)
    locked = verify_account(access, second)

    assert answers == [400] * 5 and sixth.status == 400
    assert (locked.status, locked.error) == (429, "FACTOR_LOCKED")
    clock.advance(2)
    assert verify_account(access, second).status == 200


def test_wrong_secure_action_codes_count_across_orders(tables, clock: Clock, api_key, email):
    """SECURITY.md 28: Metasky's per-code limit is five; the user's run spans every order."""
    user_uuid = metasky.as_uuid(signed_up(Device(), email)["account"]["id"])
    orders = [str(uuid.uuid4()) for _ in range(2)]
    actions = [metasky.init(api_key, user_uuid, order).body["data"]["secure_action_uuid"] for order in orders]
    codes = codes_sent_to(email)[-2:]

    def wrong(code: str) -> str:
        return f"{(int(code) + 1) % 1_000_000:06d}"

    first_order = [
        metasky.verify(api_key, user_uuid, actions[0], wrong(codes[0]), orders[0]).status for _ in range(5)
    ]
    sixth = metasky.verify(api_key, user_uuid, actions[1], wrong(codes[1]), orders[1])
    right_while_locked = metasky.verify(api_key, user_uuid, actions[1], codes[1], orders[1])

    assert first_order == [400] * 5 and sixth.status == 400
    assert (right_while_locked.status, right_while_locked.error) == (429, "FACTOR_LOCKED")
    clock.advance(2)
    assert metasky.verify(api_key, user_uuid, actions[1], codes[1], orders[1]).status == 200


def test_wrong_signatures_of_a_registered_wallet_count_yet_answer_as_for_any_address(
    tables, clock: Clock, email
):
    """SECURITY.md 26 and 28: anyone may ask a challenge for any address, so wrong signatures answer alike,
    locked or not, registered or not, after the same time; only the wallet's own right signature meets the
    lock."""
    wallet, unregistered, stranger = new_wallet(), new_wallet(), new_wallet()
    onboarded(wallet, email)

    def wrong(address: str) -> tuple[Answer, float]:
        requested = request(address).body["data"]
        before = clock()
        answer = validate(sign(stranger, requested["message"]), requested["tempToken"]["token"])
        return answer, clock() - before

    nobodys = [wrong(unregistered.address) for _ in range(7)]
    registered = [wrong(wallet.address) for _ in range(7)]
    failures = _user_item(tables, email)["failures_wallet"]
    requested = request(wallet.address).body["data"]
    right = validate(sign(wallet, requested["message"]), requested["tempToken"]["token"])

    answers = {(a.status, json.dumps(a.body), seconds) for a, seconds in registered + nobodys}
    assert len(answers) == 1 and next(iter(answers))[0] == 401
    assert failures == 6  # the seventh came during the lock the sixth began
    assert (right.status, right.error) == (429, "FACTOR_LOCKED")


def test_recovery_codes_fail_at_most_ten_times_a_day_then_recovery_is_refused(tables, clock: Clock, email):
    """SECURITY.md 28, the reported attack replayed: guessing recovery codes across recovery ids, an attacker
    once had 7,200 tries a day per account; now ten wrong codes close recovery for the rest of the day."""
    signed_up(Device(), email)
    started = []
    for _ in range(3):  # three recovery ids, a minute apart (one code a minute per account)
        new = Device()
        recovery_id = recover(new, email).body["recoveryId"]
        started.append((new, recovery_id, codes_sent_to(email)[-1]))
        clock.advance(61)

    def guess(n: int, code: str) -> int:
        new, recovery_id, _ = started[n]
        status = confirm_recovery(recovery_id, code, new.sign(recovery_id)).status
        clock.advance(33)  # past the factor's own lock (32 s after ten): only the daily limit shows here
        return status

    wrong = [guess(n, f"{(int(started[n][2]) + 1) % 1_000_000:06d}") for n in (0, 1) for _ in range(5)]
    eleventh = guess(2, f"{(int(started[2][2]) + 1) % 1_000_000:06d}")
    right = guess(2, started[2][2])
    mailed = len(codes_sent_to(email))
    refused_start = recover(Device(), email)

    assert wrong == [400] * 10 and (eleventh, right) == (429, 429)
    assert refused_start.status == 202 and len(codes_sent_to(email)) == mailed  # no code mailed
    clock.advance(24 * 3600)
    new = Device()
    recovery_id = recover(new, email).body["recoveryId"]
    assert len(codes_sent_to(email)) == mailed + 1
    assert confirm_recovery(recovery_id, codes_sent_to(email)[-1], new.sign(recovery_id)).status == 202


def _notices_to(email: str) -> list[str]:
    return [
        m["subject"]
        for m in sent_mail("us-east-1")
        if m["destinations"]["ToAddresses"] == [email]
        and m["subject"] == "A way of signing in to your account was turned off"
    ]


def test_a_hundred_wrong_wallet_signatures_turn_the_wallet_off_and_tell_the_user(tables, clock: Clock, email):
    """SECURITY.md 28, for the wallet factor (Pakt's validate): the notice goes out as for a device key."""
    wallet, stranger = new_wallet(), new_wallet()
    access = onboarded(wallet, email)["tempToken"]["token"]
    assert (
        verify_account(access, codes_sent_to(email)[-1]).status == 200
    )  # an unverified address is told nothing
    for _ in range(100):
        requested = request(wallet.address).body["data"]
        assert validate(sign(stranger, requested["message"]), requested["tempToken"]["token"]).status == 401
        clock.advance(901)

    requested = request(wallet.address).body["data"]
    right = validate(sign(wallet, requested["message"]), requested["tempToken"]["token"])

    assert (right.status, right.error) == (429, "FACTOR_DISABLED")
    assert _notices_to(email) == ["A way of signing in to your account was turned off"]


def test_a_hundred_wrong_secure_action_codes_turn_codes_off_and_tell_the_user(
    tables, clock: Clock, api_key, email
):
    """SECURITY.md 28, for a secure action's codes (Metasky's verify), across orders: one wrong code an order,
    each after the lock the last one began (and a day's wait whenever the address's mail budget is spent)."""
    user_uuid = metasky.as_uuid(signed_up(Device(), email)["account"]["id"])

    def started() -> tuple[str, str]:
        """A new order's secure action, a day later whenever the address's mail budget is spent."""
        order = str(uuid.uuid4())
        while (answer := metasky.init(api_key, user_uuid, order)).error == "TOO_MANY_REQUESTS":
            clock.advance(86_400)
        return order, answer.body["data"]["secure_action_uuid"]

    statuses = []
    for n in range(100):
        if (
            n == 99
        ):  # the notice is mail too, within the address's budget: the hundredth failure is on a new day
            clock.advance(86_400)
        order, action = started()
        wrong = f"{(int(codes_sent_to(email)[-1]) + 1) % 1_000_000:06d}"
        statuses.append(metasky.verify(api_key, user_uuid, action, wrong, order).status)
        clock.advance(901)

    order, action = started()
    right = metasky.verify(api_key, user_uuid, action, codes_sent_to(email)[-1], order)

    assert statuses == [400] * 100
    assert (right.status, right.error) == (429, "FACTOR_DISABLED")
    assert _notices_to(email) == ["A way of signing in to your account was turned off"]
