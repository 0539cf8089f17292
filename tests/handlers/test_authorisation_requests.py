"""UNLOQ's authorisation requests: rendered for a user, decided on their device, awaited by the client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import another_client_key
from tests.handlers import hyphen
from tests.handlers.hyphen import Device, decide, only_pending, signed_up
from tests.handlers.keyless import stored
from tests.handlers.pakt import new_wallet, onboarded
from tests.handlers.unloq import (
    PAYMENT,
    WELCOME,
    authorize,
    defined,
    get_approval,
    pay,
    update_action,
)

EMAIL = "ada@example.com"


@pytest.fixture
def ada(api_key) -> tuple[Device, str]:
    """A user with one device; returns the device and its access token."""
    device = Device()
    return device, signed_up(device, EMAIL)["credentials"]["accessToken"]


def requested(api_key: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
    status, _, answer = authorize(api_key, code, body)
    assert status == 202, answer
    result: dict[str, Any] = answer["result"]
    return result


def test_the_seeds_welcome_example_renders_exactly(api_key, ada):
    """The seed: `POST /authorize/welcome - ref=... - name="Jane" - phone="+021000000"`, variables at the
    top level as the seed passes them."""
    defined(api_key, WELCOME)

    result = requested(
        api_key,
        "welcome",
        # UNLOQ's PHP SDK also sends the code and generate_token (false) in the body.
        {"email": EMAIL, "ref": "tx-1", "name": "Jane", "phone": "+021000000", "wait": 0, "code": "welcome"}
        | {"generate_token": False},
    )

    assert result["title"] == "Welcome, Jane !"
    assert result["message"] == "All you have to do now is confirm your phone: +021000000"
    assert result["reference"] == "tx-1"


def test_a_request_is_answered_pending_at_once_and_shown_rendered_on_the_device(api_key, ada, tables):
    _, access = ada
    defined(api_key, PAYMENT)

    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, ip="203.0.113.7"))

    assert status == 202  # never 200, which UNLOQ's clients read as "approved"
    assert answer["type"] == "api.application.approval.authorize"
    result = answer["result"]
    assert result["state"] == "pending" and result["number"] is None
    assert result["title"] == "Approve 25.00?"
    assert (
        result["message"]
        == "You have a pending transaction of $25.00. Proceed with payment for Example Shop?"
    )
    assert result["button"] == {"approve": "Yes", "deny": "Cancel"}
    shown = only_pending(access)
    assert shown["purpose"] == "authorization" and shown["operationId"] == result["id"]
    assert json.loads(shown["payload"]) == {
        "action": "demo-code",
        "application": "test client",
        "approve": "Yes",
        "deny": "Cancel",
        "ip": "203.0.113.7",
        "message": result["message"],
        "reference": "order-1001",
        "title": "Approve 25.00?",
    }


def test_an_approval_on_the_device_is_what_the_client_then_reads(api_key, ada):
    device, access = ada
    defined(api_key, PAYMENT)
    result = requested(api_key, "demo-code", pay(EMAIL))

    assert decide(access, only_pending(access), device, auth_type="pin").status == 200

    status, _, answer = get_approval(api_key, result["id"])
    assert status == 200 and answer["type"] == "api.application.approval.read"
    assert answer["result"]["state"] == "approved" and answer["result"]["auth_type"] == "pin"
    assert answer["result"]["decided_at"] is not None


def test_a_denial_on_the_device_is_approval_denied_for_the_client(api_key, ada):
    device, access = ada
    defined(api_key, PAYMENT)
    result = requested(api_key, "demo-code", pay(EMAIL))

    assert decide(access, only_pending(access), device, "deny").status == 200

    status, _, answer = get_approval(api_key, result["id"])
    assert status == 403
    assert answer == {
        "error": {"code": "APPROVAL.DENIED", "message": "the user denied the request", "status": 403}
    }


def test_a_waiting_call_answers_the_decision_taken_while_it_waits(api_key, ada, clock):
    """UNLOQ blocks until the user decides: the device approves during the wait, and the call answers 200."""
    device, access = ada
    defined(api_key, PAYMENT)
    decided: list[int] = []

    def user_decides_while_waiting(_seconds: float) -> None:
        if not decided:
            decided.append(decide(access, only_pending(access), device).status)

    clock.while_waiting = user_decides_while_waiting

    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, wait=20))

    assert decided == [200]
    assert status == 200 and answer["result"]["state"] == "approved"


def test_reading_an_approval_may_wait_for_its_decision(api_key, ada, clock):
    """With number matching the client needs the number at once (wait=0), then waits on the read."""
    device, access = ada
    defined(api_key, PAYMENT)
    result = requested(api_key, "demo-code", pay(EMAIL))
    clock.while_waiting = lambda _: decide(access, only_pending(access), device, "deny")

    status, _, answer = get_approval(api_key, result["id"], wait=20)

    assert (status, answer["error"]["code"]) == (403, "APPROVAL.DENIED")
    assert get_approval(api_key, result["id"], wait=26).status == 400


def test_no_decision_before_the_request_expires_is_approval_timeout(api_key, ada, clock):
    defined(api_key, PAYMENT)  # the service's waits move the test's clock (the `clock` fixture)

    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, wait=None, timeout=10))

    assert (status, answer["error"]["code"], answer["error"]["status"]) == (410, "APPROVAL.TIMEOUT", 410)


def test_a_wait_ends_at_the_requests_own_expiry(api_key, ada, clock):
    """SECURITY.md 38: a request that expires after 10 s holds a call 10 s, not the 25 s it asked to wait,
    whether the call creates it or reads it."""
    defined(api_key, PAYMENT)

    began = clock()
    created = authorize(api_key, "demo-code", pay(EMAIL, wait=25, timeout=10))
    creating_call = clock() - began
    result = requested(api_key, "demo-code", pay(EMAIL, wait=0, timeout=10))
    clock.advance(4)
    began = clock()
    read = get_approval(api_key, result["id"], wait=25)
    reading_call = clock() - began

    assert (created.status, created.error) == (410, "APPROVAL.TIMEOUT") and creating_call == 10
    assert (read.status, read.error) == (410, "APPROVAL.TIMEOUT") and reading_call == 6


def test_a_request_that_outlives_the_longest_wait_is_answered_pending_after_it(api_key, ada, clock):
    """API Gateway cuts a call at 29 s: a request given 120 s is answered `pending` after at most 25 s."""
    defined(api_key, PAYMENT)  # the service's waits move the test's clock (the `clock` fixture)
    began = clock()

    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, wait=None, timeout=120))

    assert status == 202 and answer["result"]["state"] == "pending"
    assert 24 <= clock() - began <= 25.5


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"amount": "1"}, "missing variables: company"),
        ({"amount": "1", "company": "A", "extra": "x"}, "unknown variables: extra"),
        ({"amount": "1\u202e", "company": "A"}, "variable amount holds"),
        ({"amount": "1" * 101, "company": "A"}, "variable amount exceeds 100"),
        ({"amount": {"nested": 1}, "company": "A"}, "variable amount must be a string or a number"),
        ({"amount": True, "company": "A"}, "variable amount must be a string or a number"),
    ],
)
def test_variables_are_checked_and_a_refusal_names_them(api_key, ada, tables, variables, named):
    """SECURITY.md 16: missing and unknown names are refused with the list; values are capped and clean.
    Nothing is stored for a refused request."""
    defined(api_key, PAYMENT)

    status, _, answer = authorize(api_key, "demo-code", {**pay(EMAIL), "variables": variables})

    assert status == 400 and answer["error"]["code"] == "ACTION.VARIABLES"
    assert named in answer["error"]["message"]
    assert stored(tables) == []


def test_a_rendered_text_too_long_to_show_is_refused_not_cut(api_key, ada, tables):
    """The limits are what a device shows; a cut text could drop the amount or the payee."""
    defined(api_key, PAYMENT)

    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, amount="9" * 30))

    assert (status, answer["error"]["code"]) == (400, "ACTION.TOO_LONG")
    assert "title (39 > 35)" in answer["error"]["message"]
    assert stored(tables) == []


def test_numbers_render_as_their_text(api_key, ada):
    defined(api_key, PAYMENT)

    result = requested(api_key, "demo-code", {**pay(EMAIL), "variables": {"amount": 25, "company": "A"}})

    assert result["title"] == "Approve 25?"


def test_unknown_users_and_users_without_a_device_look_alike(api_key, ada, tables):
    """SECURITY.md 26 and 34: a client cannot tell who has an account, and an address typed at onboarding
    but never verified routes no request (its wallet could approve one once it is)."""
    defined(api_key, PAYMENT)
    onboarded(new_wallet(), "wallet-only@example.com")

    answers = [
        authorize(api_key, "demo-code", pay("nobody@example.com")),
        authorize(api_key, "demo-code", pay("wallet-only@example.com")),
        authorize(api_key, "demo-code", {**pay(EMAIL), "email": None, "user_id": "00FF00FF00FF00FF"}),
    ]

    assert {(status, json.dumps(body)) for status, _, body in answers} == {
        (
            404,
            json.dumps(
                {
                    "error": {
                        "code": "APPROVAL.DEVICE",
                        "message": "the user has no device that can approve",
                        "status": 404,
                    }
                }
            ),
        )
    }
    assert stored(tables) == []


def test_a_user_is_named_by_id_as_well_as_by_email(api_key):
    account = signed_up(Device(), "grace@example.com")["account"]["id"]
    defined(api_key, PAYMENT)

    result = requested(api_key, "demo-code", {**pay("-"), "email": None, "unloq_id": account})

    assert result["user_id"] == account


def test_an_inactive_or_unknown_action_authorises_nothing(api_key, ada, tables):
    defined(api_key, PAYMENT)
    update_action(api_key, "demo-code", {"is_active": False})

    inactive = authorize(api_key, "demo-code", pay(EMAIL))
    unknown = authorize(api_key, "no-such", pay(EMAIL))

    assert (inactive.status, inactive.error) == (409, "ACTION.INACTIVE")
    assert (unknown.status, unknown.error) == (404, "ACTION.NOT_FOUND")
    assert stored(tables) == []


@pytest.mark.parametrize(
    "change",
    [
        {"email": None},
        {"user_id": "ABCDEF12"},
        {"reference": "r" * 21},
        {"ip": "not-an-ip"},
        {"timeout": 5},
        {"wait": 26},
        {"code": "another"},
        {"generate_token": True},
    ],
)
def test_malformed_requests_are_refused_in_unloqs_envelope(api_key, ada, tables, change):
    defined(api_key, PAYMENT)

    status, _, answer = authorize(api_key, "demo-code", {**pay(EMAIL), **change})

    assert status == 400 and set(answer["error"]) == {"code", "message", "status"}
    assert stored(tables) == []


def test_a_client_reads_only_its_own_approvals(api_key, ada):
    """SECURITY.md 17."""
    defined(api_key, PAYMENT)
    result = requested(api_key, "demo-code", pay(EMAIL))

    status, _, answer = get_approval(another_client_key(), result["id"])

    assert (status, answer["error"]["code"]) == (404, "APPROVAL.NOT_FOUND")
    assert get_approval(api_key, result["id"]).status == 202


def test_the_approval_signs_the_rendered_text(api_key, ada):
    """SECURITY.md 15: a signature over anything but the text shown (here, the unrendered template)
    approves nothing."""
    device, access = ada
    defined(api_key, PAYMENT)
    result = requested(api_key, "demo-code", pay(EMAIL))
    shown = only_pending(access)
    template = json.dumps({**json.loads(shown["payload"]), "title": PAYMENT["title"]})
    digest = hyphen.approval_digest("approve", {**shown, "payload": template})

    status, _, answer = decide(access, shown, device, signature=device.sign(digest))

    assert (status, answer["error"]) == (403, "APPROVAL_REFUSED")
    assert get_approval(api_key, result["id"]).body["result"]["state"] == "pending"


class TestNumberMatching:
    @pytest.fixture
    def matching(self, api_key, ada) -> tuple[dict[str, Any], dict[str, Any]]:
        """A number-matching request: what the client got, and what the device lists."""
        defined(api_key, {**PAYMENT, "number_matching": True})
        _, access = ada
        return requested(api_key, "demo-code", pay(EMAIL)), only_pending(access)

    def test_the_client_gets_the_number_and_the_device_does_not(self, matching):
        result, shown = matching

        assert result["number"] is not None and 10 <= int(result["number"]) <= 99
        assert shown["numberMatching"] is True
        assert shown["digests"]["approve"] is None  # it depends on the number entered
        assert "number" not in shown and "number" not in json.loads(shown["payload"])

    def test_the_right_number_approves(self, api_key, ada, matching):
        device, access = ada
        result, shown = matching

        assert decide(access, shown, device, number=result["number"]).status == 200

        assert get_approval(api_key, result["id"]).body["result"]["state"] == "approved"

    def test_approving_without_the_number_is_refused_and_changes_nothing(self, api_key, ada, matching):
        device, access = ada
        result, shown = matching

        status, _, answer = decide(access, shown, device)

        assert (status, answer["error"]) == (400, "NUMBER_REQUIRED")
        assert get_approval(api_key, result["id"]).status == 202

    def test_a_wrong_number_denies_the_request(self, api_key, ada, matching):
        device, access = ada
        result, shown = matching
        wrong = str(10 + (int(result["number"]) - 9) % 90)

        status, _, answer = decide(access, shown, device, number=wrong)

        assert (status, answer["error"]) == (403, "NUMBER_MISMATCH")
        status, _, read = get_approval(api_key, result["id"])
        assert (status, read["error"]["code"]) == (403, "APPROVAL.DENIED")
        assert "number" in read["error"]["message"]
        assert decide(access, shown, device, number=result["number"]).status == 409  # a denial is final

    def test_the_signature_covers_the_number(self, api_key, ada, matching):
        """The number sent must be the number signed: the right number beside a signature over another
        approves nothing."""
        device, access = ada
        result, shown = matching
        digest = hyphen.approval_digest("approve", shown, "00")

        status, _, answer = decide(
            access, shown, device, number=result["number"], signature=device.sign(digest)
        )

        assert (status, answer["error"]) == (403, "APPROVAL_REFUSED")
        assert get_approval(api_key, result["id"]).status == 202

    def test_a_denial_takes_no_number(self, api_key, ada, matching):
        device, access = ada
        result, shown = matching

        assert decide(access, shown, device, "deny", number=result["number"]).status == 400
        assert decide(access, shown, device, "deny").status == 200
