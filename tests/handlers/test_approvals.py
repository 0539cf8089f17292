"""A user's device approves or denies pending operations (Keyless's and new-device requests) by signing
exactly what it showed, with one of the user's live P-256 keys."""

from __future__ import annotations

import json

from tests.conftest import api_event, invoke
from tests.handlers.hyphen import (
    Device,
    approval_digest,
    challenge,
    decide,
    finish_two_factor,
    only_pending,
    pending,
    register_second_device,
    request_two_factor,
    revoke,
    sign_in,
    signed_up,
)
from tests.handlers.keyless import created, get


def _user(device: Device, email: str) -> tuple[str, str]:
    """Sign up; returns (user id, access token)."""
    body = signed_up(device, email)
    return body["account"]["id"], body["credentials"]["accessToken"]


def test_a_user_lists_a_clients_operation_and_approves_it_and_keyless_shows_the_result(tables, api_key):
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    shown = only_pending(access)

    status, _, decided = decide(access, shown, phone, auth_type="biom")

    assert shown["purpose"] == "operation" and shown["payload"] == "Pay 10 EUR"
    assert shown["digests"]["approve"] == approval_digest(
        "approve", {**shown, "purpose": "operation", "payload": "Pay 10 EUR"}
    )
    assert status == 200, decided
    assert (decided["state"], decided["authType"]) == ("approved", "biom")
    view = get(api_key, "order-1").body
    assert (view["result"], view["state"], view["authType"]) == (True, "approved", "biom")
    item = tables["OperationsTable"].get_item(Key={"pk": shown["requestId"].replace(".", "#", 1)})["Item"]
    assert item["decided_by"] == f"p256#{phone.fingerprint}" and "pending_user" not in item
    assert pending(access).body["operations"] == []


def test_a_denial_is_recorded_as_denied_with_its_pin(tables, api_key):
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)

    status, _, decided = decide(access, only_pending(access), phone, "deny", auth_type="pin")

    assert (status, decided["state"]) == (200, "denied")
    view = get(api_key, "order-1").body
    assert (view["result"], view["state"], view["authType"]) == (False, "denied", "pin")


def test_two_decisions_one_winner_and_terminal_states_never_change(tables, api_key):
    """SECURITY.md 14."""
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    shown = only_pending(access)
    decide(access, shown, phone, "deny")

    status, _, body = decide(access, shown, phone, "approve")

    assert (status, body["error"]) == (409, "OPERATION_NOT_PENDING")
    assert get(api_key, "order-1").body["state"] == "denied"


def test_another_users_key_cannot_approve(tables, api_key):
    """SECURITY.md 13, 17: neither with its own token nor with the operation's user's token."""
    phone, mallory = Device(), Device()
    user_id, access = _user(phone, "ada@example.com")
    _, mallory_access = _user(mallory, "mallory@example.com")
    created(api_key, user_id)
    shown = only_pending(access)

    foreign_token = decide(mallory_access, shown, mallory)
    foreign_key = decide(access, shown, mallory)

    assert (foreign_token.status, foreign_token.error) == (404, "OPERATION_NOT_FOUND")
    assert (foreign_key.status, foreign_key.error) == (403, "APPROVAL_REFUSED")
    assert get(api_key, "order-1").body["state"] == "pending"


def test_a_signature_of_anything_but_what_was_shown_is_refused(tables, api_key):
    """SECURITY.md 6, 15: purpose, payload, request, its instance and deadline, and decision are all covered
    by the signature."""
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    shown = only_pending(access)
    forged = {
        "wrong purpose": approval_digest("approve", {**shown, "purpose": "device.signin"}),
        "altered payload": approval_digest("approve", {**shown, "payload": "Pay 10000 EUR"}),
        "another request": approval_digest("approve", {**shown, "requestId": "cl_x.order-2"}),
        "another instance": approval_digest("approve", {**shown, "instance": "12345"}),
        "another deadline": approval_digest("approve", {**shown, "expiresAt": "2030-01-01T00:00:00.000Z"}),
        "a denial's signature": approval_digest("deny", shown),
        "the raw payload": shown["payload"],
    }

    answers = {why: decide(access, shown, phone, signature=phone.sign(text)) for why, text in forged.items()}

    assert {why: (a.status, a.error) for why, a in answers.items()} == {
        why: (403, "APPROVAL_REFUSED") for why in forged
    }
    assert get(api_key, "order-1").body["state"] == "pending"


def test_a_decision_signed_for_an_earlier_request_of_the_same_id_decides_nothing(tables, api_key, clock):
    """SECURITY.md 15, the attack replayed: once a request's 30-day retention is over its client may reuse the
    operationId, with the same payload; a decision captured for the first is refused for the second."""
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    first = only_pending(access)
    captured = phone.sign(approval_digest("approve", first))
    clock.advance(31 * 86_400)  # past the deadline and the retention
    access = sign_in(phone).body["credentials"]["accessToken"]
    created(api_key, user_id)
    second = only_pending(access)
    assert (second["requestId"], second["payload"]) == (first["requestId"], first["payload"])

    replayed = decide(access, second, phone, signature=captured)

    assert (replayed.status, replayed.error) == (403, "APPROVAL_REFUSED")
    assert get(api_key, "order-1").body["state"] == "pending"


def test_a_revoked_key_can_neither_sign_in_nor_approve(tables, api_key):
    """SECURITY.md 13, 25."""
    phone, tablet = Device(), Device(name="tablet")
    user_id, access = _user(phone, "ada@example.com")
    register_second_device(phone, tablet, "ada@example.com", access)
    created(api_key, user_id)
    shown = only_pending(access)
    assert revoke(access, tablet.public_key, phone).status == 200

    approve = decide(access, shown, tablet)
    sign_in_answer = challenge(tablet)

    assert (approve.status, approve.error) == (403, "APPROVAL_REFUSED")
    assert (sign_in_answer.status, sign_in_answer.error) == (400, "PleaseRegisterKey")


def test_an_expired_operation_cannot_be_approved(tables, api_key, clock):
    """SECURITY.md 4, 5."""
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    shown = only_pending(access)
    clock.advance(601)
    fresh_access = sign_in(phone).body["credentials"]["accessToken"]

    status, _, body = decide(fresh_access, shown, phone)

    assert (status, body["error"]) == (409, "OPERATION_NOT_PENDING")
    assert get(api_key, "order-1").body["state"] == "expired"


def test_a_malformed_key_or_signature_is_a_400(tables, api_key):
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    shown = only_pending(access)
    some_signer = Device()

    event = api_event(
        "hyphen/approve_operation.json",
        path_parameters={"requestId": shown["requestId"]},
        body={"publicKey": "01" * 64, "signature": some_signer.sign("x"), "authType": "biom"},
        headers={"Authorization": f"Bearer {access}"},
    )
    off_curve_answer = invoke("ApproveOperationFunction", event)
    short = decide(access, shown, phone, signature="ab" * 63)
    no_auth_type = invoke(
        "ApproveOperationFunction",
        api_event(
            "hyphen/approve_operation.json",
            path_parameters={"requestId": shown["requestId"]},
            body={"publicKey": phone.public_key, "signature": "ab" * 64, "authType": "face"},
            headers={"Authorization": f"Bearer {access}"},
        ),
    )

    assert (off_curve_answer.status, off_curve_answer.error) == (400, "INVALID_KEY")
    assert (short.status, short.error) == (400, "INVALID_REQUEST")
    assert (no_auth_type.status, no_auth_type.error) == (400, "INVALID_REQUEST")


def test_deciding_needs_an_access_token(tables, api_key):
    phone = Device()
    user_id, access = _user(phone, "ada@example.com")
    created(api_key, user_id)
    shown = only_pending(access)

    status, _, body = decide("not-a-token", shown, phone)

    assert (status, body["error"]) == (401, "INVALID_TOKEN")


def test_a_new_device_signs_in_once_a_registered_one_approves_it(tables):
    """SECURITY.md 13: the approval shows, and binds, the new key's fingerprint."""
    phone, laptop = Device(), Device(name="laptop")
    user_id, access = _user(phone, "ada@example.com")
    status, _, requested = request_two_factor(laptop, "ada@example.com")
    request_id = requested["twoFactorAuth"]["id"]
    proof = laptop.sign(requested["challengeData"])

    while_pending = finish_two_factor(request_id, proof)
    shown = only_pending(access)
    approved = decide(access, shown, phone, number=requested["number"])
    finished = finish_two_factor(request_id, proof)
    again = finish_two_factor(request_id, proof)

    assert status == 201 and requested["twoFactorAuth"]["status"] == "pending"
    assert requested["twoFactorAuth"]["accountId"] == user_id
    assert (while_pending.status, while_pending.error) == (409, "TWO_FACTOR_PENDING")
    assert shown["purpose"] == "device.signin" and shown["requestId"] == f"assent.{request_id}"
    assert json.loads(shown["payload"])["newKey"]["fingerprint"] == laptop.fingerprint
    assert approved.status == 200
    assert finished.status == 200 and finished.body["account"]["id"] == user_id
    assert (again.status, again.error) == (410, "TWO_FACTOR_EXPIRED")
    assert sign_in(laptop).status == 200


def test_a_denied_new_device_is_refused_and_registers_nothing(tables):
    phone, laptop = Device(), Device(name="laptop")
    _, access = _user(phone, "ada@example.com")
    requested = request_two_factor(laptop, "ada@example.com").body
    decide(access, only_pending(access), phone, "deny")

    status, _, body = finish_two_factor(
        requested["twoFactorAuth"]["id"], laptop.sign(requested["challengeData"])
    )

    assert (status, body["error"]) == (403, "TWO_FACTOR_DENIED")
    assert tables["UsersTable"].get_item(Key={"pk": f"key#p256#{laptop.fingerprint}"}).get("Item") is None


def test_a_new_device_request_that_is_never_approved_expires(tables, clock):
    phone, laptop = Device(), Device(name="laptop")
    _user(phone, "ada@example.com")
    requested = request_two_factor(laptop, "ada@example.com").body
    clock.advance(601)

    status, _, body = finish_two_factor(
        requested["twoFactorAuth"]["id"], laptop.sign(requested["challengeData"])
    )

    assert (status, body["error"]) == (410, "TWO_FACTOR_EXPIRED")


def test_finishing_needs_the_new_keys_signature(tables):
    phone, laptop, thief = Device(), Device(name="laptop"), Device(name="thief")
    _, access = _user(phone, "ada@example.com")
    requested = request_two_factor(laptop, "ada@example.com").body
    decide(access, only_pending(access), phone, number=requested["number"])

    status, _, body = finish_two_factor(
        requested["twoFactorAuth"]["id"], thief.sign(requested["challengeData"])
    )

    assert (status, body["error"]) == (401, "SIGN_IN_FAILED")


def test_new_device_requests_are_rate_limited_per_user(tables):
    """SECURITY.md 18: a user's devices are not flooded with requests."""
    phone = Device()
    _user(phone, "ada@example.com")
    request_two_factor(Device(), "ada@example.com")

    status, _, body = request_two_factor(Device(), "ada@example.com")

    assert (status, body["error"]) == (429, "TOO_MANY_REQUESTS")


def test_a_new_device_of_an_unknown_address_is_told_to_sign_up(tables):
    status, _, body = request_two_factor(Device(), "nobody@example.com")

    assert (status, body["error"]) == (404, "ACCOUNT_NOT_FOUND")
