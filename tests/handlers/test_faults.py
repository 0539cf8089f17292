"""A DynamoDB error at any step of a multi-step change leaves the change done or not done, never half done.

Each test runs the flow once to count its DynamoDB calls, then again with each call in turn failing
(botocore's `before-call` event raises InternalServerError, as DynamoDB would), and checks what was stored.
"""

from __future__ import annotations

from typing import Any

from assent_tools.aws_calls import counted_calls, failing_call
from tests.conftest import api_event, invoke
from tests.handlers.hyphen import Device, decide, only_pending, sign_in, sign_up, signed_up


def dynamodb_calls_of(flow: Any) -> int:
    with counted_calls() as calls:
        flow()
    return sum(count for name, count in calls.items() if name.startswith("dynamodb."))


def items_naming(tables: dict[str, Any], *values: str) -> list[dict[str, Any]]:
    """Every stored item in which one of `values` appears, in any attribute."""
    return [
        item
        for table in tables.values()
        for item in table.scan()["Items"]
        if any(value in str(item) for value in values)
    ]


def test_a_failed_sign_up_leaves_no_orphan_key_at_any_step(tables):
    """A sign-up that fails leaves nothing (and the same sign-up then succeeds), or a whole account whose
    key signs in: never a key without its user, or a user or an e-mail claim without the rest."""
    steps = dynamodb_calls_of(lambda: sign_up(Device(), "count@example.com"))
    assert steps >= 2
    outcomes = set()

    for step in range(1, steps + 1):
        device, email = Device(), f"fault-{step}@example.com"
        with failing_call(step) as made:
            status, _, body = sign_up(device, email)

        if status != 201:
            assert status == 500 and body == {"error": "INTERNAL_ERROR", "message": "internal error"}, made
        left = items_naming(tables, device.fingerprint, email)
        kinds = sorted(str(item.get("kind")) for item in left)
        if status != 201 and not left:
            outcomes.add("nothing stored")
            assert sign_up(device, email).status == 201, (step, made)
        else:
            # Sessions are stored after the account: a failure there leaves an account its key signs in to.
            outcomes.add("whole account")
            assert {"user", "key", "email"} <= set(kinds), (step, made, kinds)
            assert sign_in(device).status == 200, (step, made)
    assert outcomes == {"nothing stored", "whole account"}


def test_a_failed_approval_leaves_the_operation_pending_at_any_step(tables, api_key):
    """SECURITY.md 14: an approval that fails leaves the operation pending, and the user can approve again."""
    device = Device()
    account = signed_up(device, "approver@example.com")
    user_id, access = account["account"]["id"], account["credentials"]["accessToken"]

    def create(operation_id: str) -> dict[str, Any]:
        event = api_event(
            "keyless/create_operation.json",
            path_parameters={"userId": user_id},
            body={"operationId": operation_id, "operationPayload": "Pay 10 EUR"},
            headers={"X-Api-Key": api_key},
        )
        assert invoke("CreateOperationFunction", event).status == 200
        return only_pending(access)

    def state(operation_id: str) -> str:
        event = api_event(
            "keyless/get_operation.json",
            path_parameters={"operationId": operation_id},
            headers={"X-Api-Key": api_key},
        )
        return str(invoke("GetOperationFunction", event).body["state"])

    counted = create("count")
    steps = dynamodb_calls_of(lambda: decide(access, counted, device))
    assert steps >= 2

    failed = 0
    for step in range(1, steps + 1):
        operation_id = f"fault-{step}"
        shown = create(operation_id)
        with failing_call(step) as made:
            status, _, _ = decide(access, shown, device)

        if status == 200:
            assert state(operation_id) == "approved", (step, made)
            continue
        assert status == 500, (step, made)
        failed += 1
        assert state(operation_id) == "pending", (step, made)
        assert decide(access, shown, device).status == 200 and state(operation_id) == "approved", (step, made)
    assert failed >= 1  # the injection reached the approval itself
