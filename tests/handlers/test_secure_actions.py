"""Metasky's secure actions through their handlers: a code e-mailed for an order, verified once."""

from __future__ import annotations

import base64
import json
import logging
import re
import uuid

import pytest

from tests.conftest import another_client_key, api_event, invoke
from tests.handlers.hyphen import Device, signed_up
from tests.handlers.metasky import ORDER, as_uuid, init, state, verify
from tests.handlers.pakt import codes_sent_to

EMAIL = "raider@metasky.ai"
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"  # the sample events' API Gateway request id


@pytest.fixture
def user_uuid(api_key) -> str:
    return as_uuid(signed_up(Device(), EMAIL)["account"]["id"])


def started(api_key: str, user_uuid: str, order: str = ORDER) -> tuple[str, str]:
    """Init a secure action; its uuid and the code e-mailed for it."""
    status, _, body = init(api_key, user_uuid, order)
    assert status == 200, body
    return body["data"]["secure_action_uuid"], codes_sent_to(EMAIL)[-1]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_init_answers_exactly_metaskys_envelope_and_mails_a_code(api_key, user_uuid):
    status, _, body = init(api_key, user_uuid)

    assert status == 200
    assert body == {
        "message": "secure action init successful",
        "data": {
            "order_uuid": ORDER,
            "secure_action_uuid": body["data"]["secure_action_uuid"],
            "secure_action_mode": "email",
            "secure_action_identifier": "r****r@metasky.ai",
        },
        "status": "success",
        "request_id": REQUEST_ID,
    }
    assert uuid.UUID(body["data"]["secure_action_uuid"]).version == 4
    assert re.fullmatch(r"\d{6}", codes_sent_to(EMAIL)[-1])


def test_the_mailed_code_verifies_once(api_key, user_uuid):
    """SECURITY.md 19: single use."""
    action, code = started(api_key, user_uuid)

    status, _, body = verify(api_key, user_uuid, action, code)

    assert status == 200
    assert body["message"] == "secure action verify successful" and body["status"] == "success"
    assert body["data"] == {"order_uuid": ORDER, "secure_action_uuid": action}
    again = verify(api_key, user_uuid, action, code)
    assert (again.status, again.body["status"], again.error) == (409, "error", "SECURE_ACTION_USED")


def test_the_client_reads_whether_when_and_through_which_key_it_was_verified(api_key, user_uuid):
    action, code = started(api_key, user_uuid)
    assert state(api_key, user_uuid).body["data"]["state"] == "pending"

    verify(api_key, user_uuid, action, code)
    status, _, body = state(api_key, user_uuid)

    assert status == 200 and body["message"] == "secure action fetch successful"
    data = body["data"]
    assert (data["state"], data["order_type"], data["secure_action_uuid"]) == ("verified", "transfer", action)
    assert data["verified_at"] is not None and data["verified_by"].startswith("key_")
    assert data["user_uuid"] == user_uuid


def test_unknown_users_are_404_user_not_found(api_key):
    nobody = str(uuid.uuid4())

    answers = (
        init(api_key, nobody),
        verify(api_key, nobody, str(uuid.uuid4()), "123456"),
        state(api_key, nobody),
    )
    for status, _, body in answers:
        assert (status, body["message"], body["status"]) == (404, "User not found", "error")
        assert body["request_id"] == REQUEST_ID


def test_an_order_without_a_secure_action_is_405_order_not_found(api_key, user_uuid):
    status, _, body = verify(api_key, user_uuid, str(uuid.uuid4()), "123456")

    assert (status, body["message"]) == (405, "Order not found")
    assert state(api_key, user_uuid).status == 405


def test_wrong_codes_lock_the_action_after_five_attempts(api_key, user_uuid):
    """SECURITY.md 20: counted before the comparison; the right code is refused once locked."""
    action, code = started(api_key, user_uuid)

    statuses = [verify(api_key, user_uuid, action, wrong(code)).status for _ in range(5)]
    locked = verify(api_key, user_uuid, action, code)

    assert statuses == [400] * 5
    assert (locked.status, locked.error) == (429, "SECURE_ACTION_LOCKED")
    assert state(api_key, user_uuid).body["data"]["state"] == "locked"


def test_a_new_init_replaces_the_code_and_is_rate_limited(api_key, user_uuid, clock):
    """SECURITY.md 21: a resend invalidates the previous code, at most once a minute."""
    first, first_code = started(api_key, user_uuid)
    too_soon = init(api_key, user_uuid)
    assert (too_soon.status, too_soon.error) == (429, "TOO_MANY_REQUESTS")

    clock.advance(61)
    second, second_code = started(api_key, user_uuid)

    replaced = verify(api_key, user_uuid, first, first_code)
    assert (replaced.status, replaced.error) == (400, "SECURE_ACTION_SUPERSEDED")
    assert verify(api_key, user_uuid, second, second_code).status == 200
    assert init(api_key, user_uuid).error == "SECURE_ACTION_USED"


def test_an_expired_action_is_refused_though_still_in_the_table(api_key, user_uuid, tables, clock):
    """SECURITY.md 4: TTL deletes late; the deadline is checked on every read."""
    action, code = started(api_key, user_uuid)
    clock.advance(601)

    status, _, body = verify(api_key, user_uuid, action, code)

    assert (status, body["data"]["code"]) == (410, "SECURE_ACTION_EXPIRED")
    assert len(tables["SecureActionsTable"].scan()["Items"]) == 1
    assert state(api_key, user_uuid).body["data"]["state"] == "expired"


def test_the_code_is_stored_only_as_a_keyed_hash(api_key, user_uuid, tables):
    """SECURITY.md 19."""
    started(api_key, user_uuid)
    code = codes_sent_to(EMAIL)[-1]

    [item] = tables["SecureActionsTable"].scan()["Items"]

    assert code not in json.dumps(item, default=repr)
    assert len(bytes(item["code_digest"].value)) == 32


def test_another_clients_orders_do_not_exist_for_it(api_key, user_uuid):
    """SECURITY.md 17: the code alone does not let another client verify the order."""
    action, code = started(api_key, user_uuid)
    other = another_client_key()

    assert verify(other, user_uuid, action, code).status == 405
    assert state(other, user_uuid).status == 405
    assert verify(api_key, user_uuid, action, code).status == 200


@pytest.mark.parametrize(
    "body", [{"secure_action_uuid": "nope", "secure_action_code": "123456"}, {"secure_action_code": "12345"}]
)
def test_malformed_verifications_are_400_in_the_envelope(api_key, user_uuid, body):
    event = api_event(
        "metasky/secure_action_verify.json",
        path_parameters={"user_uuid": user_uuid},
        body=body,
        headers={"X-Api-Key": api_key},
    )

    status, _, answer = invoke("SecureActionVerifyFunction", event)

    assert status == 400 and answer["status"] == "error" and answer["request_id"] == REQUEST_ID


def test_no_log_line_holds_the_code_or_its_hash(api_key, user_uuid, tables):
    """SECURITY.md 30: audit lines name the action; neither the code nor its digest appears, at any level."""
    lines: list[str] = []

    audit = logging.getLogger("assent")
    # Powertools' own formatter, so each line is what CloudWatch would receive (with its correlation_id).
    formatter = audit.handlers[0].formatter

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(f"{formatter.format(record) if formatter else ''} {record.__dict__}")

    handler, level = Collect(logging.DEBUG), audit.level
    audit.addHandler(handler)
    audit.setLevel(logging.DEBUG)
    try:
        action, code = started(api_key, user_uuid)
        [item] = tables["SecureActionsTable"].scan()["Items"]
        digest = bytes(item["code_digest"].value)
        verify(api_key, user_uuid, action, wrong(code))
        verify(api_key, user_uuid, action, code)
    finally:
        audit.removeHandler(handler)
        audit.setLevel(level)

    logged = "\n".join(lines)
    assert "secure action issued" in logged and "secure action verified" in logged and action in logged
    assert f'"correlation_id":"{REQUEST_ID}"' in logged  # Metasky's request_id is in the logs too
    for secret in (code, digest.hex(), base64.b64encode(digest).decode(), repr(digest)):
        assert secret not in logged
