"""SECURITY.md 30: every family's flow, logged at DEBUG and captured: no token, code, API key or signature."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from assent.core.observability import logger
from tests.handlers import pakt, unloq
from tests.handlers.hyphen import Device, challenge, decide, only_pending, respond, signed_up
from tests.handlers.keyless import created
from tests.handlers.metasky import as_uuid, init, verify

EMAIL = "logs@example.com"
AUDIT_LINES = ("secure action issued", "secure action verified")


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Everything the layer logs, at its most talkative level, as the JSON lines CloudWatch would hold."""
    level, captured = logger.log_level, io.StringIO()
    stream = logger.registered_handler.setStream(captured)
    logger.setLevel("DEBUG")
    yield captured
    logger.setLevel(level)
    logger.registered_handler.setStream(stream)


def test_no_secret_of_any_family_reaches_the_logs(tables, api_key, logs):
    secrets = {api_key}

    # Pakt: a wallet signs in, verifies its e-mail with the mailed code, and refreshes its session.
    wallet = pakt.new_wallet()
    requested = pakt.request(wallet.address).body
    signature = pakt.sign(wallet, requested["data"]["message"])
    step = requested["data"]["tempToken"]["token"]
    validated = pakt.validate(signature, step).body
    onboarded = pakt.onboard(validated["data"]["tempToken"]["token"], EMAIL).body["data"]
    code = pakt.codes_sent_to(EMAIL)[-1]
    assert pakt.verify_account(onboarded["tempToken"]["token"], code).status == 200
    refreshed = pakt.refresh(onboarded["refreshToken"]).body["credentials"]
    secrets |= {signature, step, validated["data"]["tempToken"]["token"], code}
    secrets |= {
        onboarded["tempToken"]["token"],
        onboarded["refreshToken"],
        refreshed["accessToken"],
        refreshed["refreshToken"],
    }

    # Hyphen: a device signs up, signs in with a signed challenge, and approves a client's operation.
    phone = Device()
    account = signed_up(phone, "phone@example.com")
    challenge_data = challenge(phone).body["challengeData"]
    challenge_signature = phone.sign(challenge_data)
    signed_in = respond(phone, challenge_data, challenge_signature).body["credentials"]
    access = signed_in["accessToken"]
    created(api_key, account["account"]["id"])
    assert decide(access, only_pending(access), phone).status == 200
    secrets |= {challenge_signature, access, signed_in["refreshToken"]}
    secrets |= {account["credentials"]["accessToken"], account["credentials"]["refreshToken"]}

    # UNLOQ: the client asks the same user to approve an action.
    unloq.defined(api_key, unloq.PAYMENT)
    assert unloq.authorize(api_key, unloq.PAYMENT["code"], unloq.pay("phone@example.com")).status == 202

    # Metasky: the client has a code e-mailed for an order, and the user gives it back.
    user_uuid = as_uuid(account["account"]["id"])
    action = init(api_key, user_uuid).body["data"]["secure_action_uuid"]
    order_code = pakt.codes_sent_to("phone@example.com")[-1]
    assert verify(api_key, user_uuid, action, order_code).status == 200
    secrets.add(order_code)

    logged = logs.getvalue()
    # The flows were logged (audit lines of each family), and none of what they carried was.
    assert [line for line in AUDIT_LINES if line not in logged] == []
    leaked = sorted(secret[:12] + "…" for secret in secrets if secret and secret in logged)
    assert leaked == []


def _lines(logs: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]


def test_each_request_logs_one_answered_line_naming_its_request_and_its_caller(tables, api_key, logs):
    """An operator follows a request by its id (API Gateway's, which the access log has too), a client by its
    id and key id, a user by theirs; none of them stays for the next request of a warm function."""
    phone = Device()
    account = signed_up(phone, "story@example.com")
    access, user_id = account["credentials"]["accessToken"], account["account"]["id"]
    created(api_key, user_id)
    assert decide(access, only_pending(access), phone).status == 200
    unloq.get_action(api_key, "no-such-code")
    unloq.get_action("", "no-such-code")  # the same warm function, with no key
    pakt.request(pakt.new_wallet().address)
    answered = [line for line in _lines(logs) if line["message"] == "answered"]
    by_function = {line["function_name"]: line for line in answered}

    create = by_function["CreateOperationFunction"]
    assert (create["route"], create["method"], create["status"]) == (
        "/v2/users/{userId}/operations",
        "POST",
        200,
    )
    assert create["client_id"].startswith("cl_") and create["client_key_id"].startswith("key_")
    assert create["correlation_id"]
    assert by_function["ApproveOperationFunction"]["user_id"] == user_id
    first_get, second_get = [line for line in answered if line["function_name"] == "GetActionFunction"]
    assert (first_get["status"], second_get["status"]) == (404, 401) and "client_id" in first_get
    assert not {"client_id", "client_key_id", "user_id"} & set(second_get)
    assert not {"client_id", "client_key_id", "user_id"} & set(by_function["Web3RequestFunction"])
