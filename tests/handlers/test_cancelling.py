"""A client cancels its own pending operation (Keyless) or authorisation request (UNLOQ): it leaves the
user's list, no one can decide it after, and a call waiting for it answers at once."""

from __future__ import annotations

import pytest

from tests.conftest import another_client_key
from tests.handlers.hyphen import Device, decide, only_pending, pending, user_with_a_device
from tests.handlers.keyless import backdate, cancel, created, get, stored
from tests.handlers.unloq import PAYMENT, authorize, cancel_approval, defined, get_approval, pay

EMAIL = "ada@example.com"


@pytest.fixture
def ada(api_key) -> tuple[Device, str, str]:
    return user_with_a_device(EMAIL)


def test_a_cancelled_operation_leaves_the_list_and_reads_cancelled(api_key, ada, tables):
    _, user_id, access = ada
    created(api_key, user_id)

    status, _, view = cancel(api_key, "order-1")

    assert status == 200, view
    assert (view["operationId"], view["state"], view["result"]) == ("order-1", "cancelled", False)
    assert get(api_key, "order-1").body["state"] == "cancelled"
    assert pending(access).body["operations"] == []
    [item] = tables["OperationsTable"].scan()["Items"]
    assert item["state"] == "cancelled" and "pending_user" not in item


def test_a_device_cannot_decide_a_cancelled_operation(api_key, ada):
    """SECURITY.md 14: cancelling is a decision like the others; the one that comes after loses."""
    device, user_id, access = ada
    created(api_key, user_id)
    shown = only_pending(access)
    assert cancel(api_key, "order-1").status == 200

    status, _, body = decide(access, shown, device)

    assert status == 409, body
    assert get(api_key, "order-1").body["state"] == "cancelled"


def test_a_decided_operation_cannot_be_cancelled(api_key, ada):
    """SECURITY.md 14: of a decision and a cancel, the first wins and the other changes nothing."""
    device, user_id, access = ada
    created(api_key, user_id)
    assert decide(access, only_pending(access), device).status == 200

    status, _, body = cancel(api_key, "order-1")

    assert (status, body["success"], body["code"]) == (409, False, "OPERATION_NOT_PENDING")
    assert "approved" in body["message"]
    assert get(api_key, "order-1").body["state"] == "approved"


@pytest.mark.parametrize("first_cancel", [True, False], ids=["cancelled", "expired"])
def test_a_cancelled_or_expired_operation_is_not_cancelled_again(api_key, ada, tables, first_cancel):
    _, user_id, _ = ada
    created(api_key, user_id)
    if first_cancel:
        assert cancel(api_key, "order-1").status == 200
    else:
        backdate(tables, "order-1", "expires_at")

    status, _, body = cancel(api_key, "order-1")

    assert (status, body["code"]) == (409, "OPERATION_NOT_PENDING")
    assert get(api_key, "order-1").body["state"] == ("cancelled" if first_cancel else "expired")


def test_a_client_cancels_only_its_own_operations(api_key, ada):
    """SECURITY.md 17: another client's operation does not exist for it, and an unknown one neither."""
    _, user_id, access = ada
    created(api_key, user_id)
    other = another_client_key()

    assert (cancel(other, "order-1").status, cancel(other, "order-1").error) == (404, "OPERATION_NOT_FOUND")
    assert cancel(api_key, "order-2").status == 404
    assert cancel(None, "order-1").status == 401
    assert only_pending(access)["operationId"] == "order-1"


def test_an_unloq_request_is_cancelled_and_reads_approval_cancelled(api_key, ada):
    _, _, access = ada
    defined(api_key, PAYMENT)
    request_id = authorize(api_key, "demo-code", pay(EMAIL)).body["result"]["id"]

    status, _, answer = cancel_approval(api_key, request_id)

    assert status == 200, answer
    assert answer["type"] == "api.application.approval.cancel"
    assert (answer["result"]["id"], answer["result"]["state"]) == (request_id, "cancelled")
    assert pending(access).body["operations"] == []
    status, _, answer = get_approval(api_key, request_id)
    assert (status, answer["error"]["code"]) == (409, "APPROVAL.CANCELLED")
    status, _, answer = cancel_approval(api_key, request_id)
    assert (status, answer["error"]["code"]) == (409, "APPROVAL.NOT_PENDING")


def test_a_call_waiting_for_a_request_answers_at_once_when_it_is_cancelled(api_key, ada, clock, tables):
    """The client's own cancel ends its other call's wait at the next poll, not at the 20 s it asked for."""
    defined(api_key, PAYMENT)
    cancelled: list[int] = []

    def client_cancels_while_waiting(_seconds: float) -> None:
        if not cancelled:
            [request_id] = [i["operation_id"] for i in stored(tables) if i["state"] == "pending"]
            cancelled.append(cancel_approval(api_key, request_id).status)

    clock.while_waiting = client_cancels_while_waiting
    began = clock()

    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, wait=20))

    assert cancelled == [200]
    assert (status, answer["error"]["code"]) == (409, "APPROVAL.CANCELLED")
    assert clock() - began <= 0.5


def test_each_family_cancels_only_its_own_kind(api_key, ada):
    """A Keyless id is not an UNLOQ request, nor the reverse, even when a client names one like the other."""
    _, user_id, _ = ada
    defined(api_key, PAYMENT)
    request_id = authorize(api_key, "demo-code", pay(EMAIL)).body["result"]["id"]
    created(api_key, user_id, operation_id="ap_" + "0" * 24)

    assert cancel(api_key, request_id).status == 404
    assert cancel_approval(api_key, "ap_" + "0" * 24).error == "APPROVAL.NOT_FOUND"
    assert get_approval(api_key, request_id).status == 202
    assert get(api_key, "ap_" + "0" * 24).body["state"] == "pending"
