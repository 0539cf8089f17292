"""A user's keys (listed, revoked with their sessions) and recovering an account onto a new key."""

from __future__ import annotations

from assent import wiring
from assent_tools.aws_calls import failing_call
from tests.handlers.hyphen import (
    Device,
    confirm_recovery,
    decide,
    finish_recovery,
    keys,
    pending,
    recover,
    recovered_to_cooling_off,
    register_second_device,
    revocation_proof,
    revoke,
    revoke_with,
    sign_in,
    signed_up,
)
from tests.handlers.pakt import codes_sent_to, new_wallet, onboarded, refresh, signed_validation


def test_a_user_lists_their_keys_with_what_each_device_said_of_itself(tables):
    phone, laptop = Device(), Device(name="laptop")
    body = signed_up(phone, "ada@example.com")
    access = body["credentials"]["accessToken"]
    register_second_device(phone, laptop, "ada@example.com", access)

    status, _, listed = keys(access)

    assert status == 200
    assert sorted((k["device"]["name"], k["id"], k["type"], k["revokedAt"]) for k in listed["keys"]) == [
        ("Ada's phone", phone.public_key, "deviceKey", None),
        ("laptop", laptop.public_key, "deviceKey", None),
    ]


def test_revoking_a_key_ends_its_sessions_and_not_the_others(tables):
    """SECURITY.md 25."""
    phone, laptop = Device(), Device(name="laptop")
    phone_session = signed_up(phone, "ada@example.com")["credentials"]
    laptop_session = register_second_device(phone, laptop, "ada@example.com", phone_session["accessToken"])[
        "credentials"
    ]

    status, _, body = revoke(phone_session["accessToken"], laptop.public_key, phone)

    assert (status, body["sessionsEnded"]) == (200, 1)
    assert refresh(laptop_session["refreshToken"]).status == 401
    assert refresh(phone_session["refreshToken"]).status == 200
    listed = keys(phone_session["accessToken"]).body["keys"]
    assert {k["id"]: k["revokedAt"] is not None for k in listed} == {
        phone.public_key: False,
        laptop.public_key: True,
    }


def test_a_user_cannot_revoke_another_users_key(tables):
    """SECURITY.md 17."""
    ada, mallory = Device(), Device()
    signed_up(ada, "ada@example.com")
    mallory_access = signed_up(mallory, "mallory@example.com")["credentials"]["accessToken"]

    status, _, body = revoke(mallory_access, ada.public_key, mallory)

    assert (status, body["error"]) == (404, "KEY_NOT_FOUND")
    assert sign_in(ada).status == 200


def _at(clock, seconds_from_now: float) -> None:
    clock.advance(seconds_from_now)


def test_recovery_completes_after_the_cooling_off_in_view_of_the_users_devices(tables, clock):
    phone, replacement = Device(), Device(name="new phone")
    body = signed_up(phone, "ada@example.com")
    access = body["credentials"]["accessToken"]

    recovery_id, confirmed = recovered_to_cooling_off(replacement, "ada@example.com")
    too_soon = finish_recovery(recovery_id, replacement.sign(confirmed["challengeData"]))
    shown = pending(access).body["operations"]
    _at(clock, 24 * 3600 + 1)
    finished = finish_recovery(recovery_id, replacement.sign(confirmed["challengeData"]))

    assert (too_soon.status, too_soon.error) == (409, "RECOVERY_COOLING_OFF")
    assert [(op["purpose"], op["operationId"]) for op in shown] == [("account.recovery", recovery_id)]
    assert finished.status == 200 and finished.body["account"]["id"] == body["account"]["id"]
    assert sign_in(replacement).status == 200


def test_a_registered_device_that_denies_a_recovery_stops_it_for_good(tables, clock):
    phone, attacker = Device(), Device(name="attacker")
    access = signed_up(phone, "ada@example.com")["credentials"]["accessToken"]
    recovery_id, confirmed = recovered_to_cooling_off(attacker, "ada@example.com")
    (shown,) = pending(access).body["operations"]

    denied = decide(access, shown, phone, "deny")
    _at(clock, 24 * 3600 + 1)
    status, _, body = finish_recovery(recovery_id, attacker.sign(confirmed["challengeData"]))

    assert denied.status == 200
    assert (status, body["error"]) == (403, "RECOVERY_DENIED")
    assert tables["UsersTable"].get_item(Key={"pk": f"key#p256#{attacker.fingerprint}"}).get("Item") is None


def test_recovery_of_an_unknown_address_looks_the_same_and_sends_nothing(tables):
    """SECURITY.md 26: the answer never tells whether an account exists."""
    signed_up(Device(), "ada@example.com")

    known = recover(Device(), "ada@example.com")
    unknown = recover(Device(), "nobody@example.com")

    assert known.status == unknown.status == 202
    assert set(known.body) == set(unknown.body) == {"recoveryId", "expiresAt"}
    assert codes_sent_to("nobody@example.com") == []
    new = Device()
    started = recover(new, "nobody@example.com").body
    wrong = confirm_recovery(started["recoveryId"], "123456", new.sign(started["recoveryId"]))
    assert (wrong.status, wrong.error) == (400, "INVALID_CODE")


def test_recovery_answers_after_the_same_fixed_time_for_every_address(tables, clock):
    """SECURITY.md 26: the write and the mail of a real account do not show in the time `recover` takes:
    every answer waits out the same fixed time (on the services' clock, which only waiting moves here)."""
    signed_up(Device(), "ada@example.com")

    def answer_time(email: str) -> float:
        before = clock()
        assert recover(Device(), email).status == 202
        return clock() - before

    times = {
        "known": answer_time("ada@example.com"),
        "throttled": answer_time("ada@example.com"),
        "unknown": answer_time("nobody@example.com"),
        "not an address": answer_time("nobody"),
    }

    assert set(times.values()) == {1.0}, times


def test_a_recovery_code_locks_after_five_wrong_tries(tables):
    """SECURITY.md 20."""
    signed_up(Device(), "ada@example.com")
    new = Device()
    started = recover(new, "ada@example.com").body
    right = codes_sent_to("ada@example.com")[-1]
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    proof = new.sign(started["recoveryId"])

    tries = [confirm_recovery(started["recoveryId"], wrong, proof).status for _ in range(5)]
    status, _, body = confirm_recovery(started["recoveryId"], right, proof)

    assert tries == [400] * 5
    assert (status, body["error"]) == (429, "CODE_LOCKED")


def test_confirming_needs_the_new_keys_signature(tables):
    signed_up(Device(), "ada@example.com")
    new, thief = Device(), Device()
    started = recover(new, "ada@example.com").body

    status, _, body = confirm_recovery(
        started["recoveryId"], codes_sent_to("ada@example.com")[-1], thief.sign(started["recoveryId"])
    )

    assert (status, body["error"]) == (401, "SIGN_IN_FAILED")


def test_a_second_recovery_within_a_minute_looks_the_same_and_mails_nothing(tables, clock):
    """SECURITY.md 21 and 26: one recovery code a minute per account; the throttled answer looks like any
    other, and its recovery id leads nowhere. A minute later a new one goes out."""
    signed_up(Device(), "ada@example.com")
    first, second, third = Device(), Device(), Device()
    recover(first, "ada@example.com")
    code = codes_sent_to("ada@example.com")[-1]

    throttled = recover(second, "ada@example.com")
    mailed_after_throttled = codes_sent_to("ada@example.com")[-1]
    _at(clock, 61)
    later = recover(third, "ada@example.com")

    assert throttled.status == 202 and set(throttled.body) == {"recoveryId", "expiresAt"}
    assert mailed_after_throttled == code and codes_sent_to("ada@example.com")[-1] != code
    recovery_id = throttled.body["recoveryId"]
    refused = confirm_recovery(recovery_id, code, second.sign(recovery_id))
    assert (refused.status, refused.error) == (400, "INVALID_CODE")
    assert later.status == 202
    assert tables["ChallengesTable"].get_item(Key={"pk": f"recover#{later.body['recoveryId']}"}).get("Item")


def _laptop_with_sessions(email: str) -> tuple[str, str, Device, list[str]]:
    """Ada's phone and her laptop, which has signed in seven times: the user id, the phone's access token,
    the laptop, and the laptop's seven refresh tokens."""
    phone, laptop = Device(), Device(name="laptop")
    body = signed_up(phone, email)
    access = body["credentials"]["accessToken"]
    first = register_second_device(phone, laptop, email, access)["credentials"]["refreshToken"]
    return (
        body["account"]["id"],
        access,
        laptop,
        [first] + [_refresh_token(sign_in(laptop)) for _ in range(6)],
    )


def _refresh_token(answer) -> str:
    assert answer.status == 200, answer.body
    return str(answer.body["credentials"]["refreshToken"])


def _ended(tables, reason: str) -> int:
    return sum(item.get("revoked_reason") == reason for item in tables["SessionsTable"].scan()["Items"])


def test_a_revocation_interrupted_midway_still_ends_every_session_of_the_key(tables):
    """SECURITY.md 33, the attack replayed: the revocation stops after two of the key's seven sessions; none
    of the other five refreshes, because a refresh checks the key in its own transaction."""
    _, access, laptop, tokens = _laptop_with_sessions("ada@example.com")
    proof = revocation_proof(access, laptop.public_key, laptop)

    # DynamoDB calls: the caller's session, the proof's challenge, the key and the user's count of live keys,
    # the query of its sessions, two sessions ended, then the third fails.
    with failing_call(7) as made:
        interrupted = revoke_with(access, laptop.public_key, proof)

    assert interrupted.status == 500
    assert made == [
        "GetItem",
        "DeleteItem",
        "TransactWriteItems",
        "Query",
        "UpdateItem",
        "UpdateItem",
        "UpdateItem",
    ]
    assert _ended(tables, "key-revoked") == 2
    assert [refresh(token).status for token in tokens] == [401] * 7
    assert _ended(tables, "key-revoked") == 7  # each refused refresh ended its session too


def test_revoking_a_revoked_key_again_ends_what_the_first_revocation_left(tables):
    """SECURITY.md 33: a retry of an interrupted revocation is not KEY_NOT_FOUND; it resumes the sweep."""
    _, access, laptop, _ = _laptop_with_sessions("ada@example.com")
    proof = revocation_proof(access, laptop.public_key, laptop)
    with failing_call(7):
        assert revoke_with(access, laptop.public_key, proof).status == 500

    again = revoke(access, laptop.public_key, laptop)

    assert (again.status, again.body["sessionsEnded"]) == (200, 5)
    assert _ended(tables, "key-revoked") == 7


def test_a_session_begun_as_its_key_is_revoked_never_refreshes(tables):
    """SECURITY.md 33, the race replayed: a sign-in checks the key a moment before the revocation and writes
    its session after the sweep has passed; the session's first refresh is refused."""
    user_id, access, laptop, _ = _laptop_with_sessions("ada@example.com")
    assert revoke(access, laptop.public_key, laptop).status == 200

    late = wiring.sessions_service().start(user_id, f"p256#{laptop.fingerprint}")

    assert refresh(late.refresh_token).status == 401


def test_a_key_keeps_at_most_20_live_sessions_and_a_new_sign_in_ends_the_oldest(tables, clock):
    """SECURITY.md 33: a key's live sessions are capped, so a revocation's sweep is bounded too."""
    phone = Device()
    tokens = [signed_up(phone, "ada@example.com")["credentials"]["refreshToken"]]
    for _ in range(20):
        clock.advance(1)  # each a second newer than the last
        tokens.append(_refresh_token(sign_in(phone)))

    assert refresh(tokens[0]).status == 401
    assert [refresh(token).status for token in tokens[1:]] == [200] * 20
    assert _ended(tables, "too-many-sessions") == 1


def test_a_wallet_keeps_at_most_20_live_sessions_too(tables, clock):
    """SECURITY.md 33, for Pakt's wallet sign-in."""
    wallet = new_wallet()
    tokens = [onboarded(wallet, "ada@example.com")["refreshToken"]]
    for _ in range(20):
        clock.advance(1)
        validated = signed_validation(wallet)
        assert validated.status == 202, validated.body  # Pakt's answer for a wallet not yet verified
        tokens.append(validated.body["data"]["refreshToken"])

    assert refresh(tokens[0]).status == 401
    assert [refresh(token).status for token in tokens[1:]] == [200] * 20
    assert _ended(tables, "too-many-sessions") == 1
