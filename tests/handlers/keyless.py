"""A Keyless client back end in tests: creates, lists and reads operations with its API key."""

from __future__ import annotations

from typing import Any

from tests.conftest import CLOCK, Answer, api_event, invoke

USER = "0A1B2C3D4E5F60718293A4B5C6D7E8F9"
OTHER_USER = "FFEE0011"


def create(api_key: str, body: Any, user: str = USER, **headers: str | None) -> Answer:
    event = api_event(
        "keyless/create_operation.json",
        path_parameters={"userId": user},
        body=body,
        headers={"X-Api-Key": api_key, **headers},
    )
    return invoke("CreateOperationFunction", event)


def pending(api_key: str, user: str = USER) -> Answer:
    event = api_event(
        "keyless/list_pending_operations.json",
        path_parameters={"userId": user},
        headers={"X-Api-Key": api_key},
    )
    return invoke("ListPendingOperationsFunction", event)


def get(api_key: str | None, operation_id: str) -> Answer:
    event = api_event(
        "keyless/get_operation.json",
        path_parameters={"operationId": operation_id},
        headers={"X-Api-Key": api_key},
    )
    return invoke("GetOperationFunction", event)


def cancel(api_key: str | None, operation_id: str) -> Answer:
    event = api_event(
        "keyless/cancel_operation.json",
        path_parameters={"operationId": operation_id},
        headers={"X-Api-Key": api_key},
    )
    return invoke("CancelOperationFunction", event)


def stored(tables: dict[str, Any]) -> list[dict[str, Any]]:
    return tables["OperationsTable"].scan(ConsistentRead=True)["Items"]


def backdate(tables: dict[str, Any], operation_id: str, attribute: str) -> None:
    """Put an operation's deadline (`expires_at`) or retention (`ttl`) one second in the past."""
    [item] = [i for i in stored(tables) if i["operation_id"] == operation_id]
    tables["OperationsTable"].update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET #attribute = :past",
        ExpressionAttributeNames={"#attribute": attribute},
        ExpressionAttributeValues={":past": int(CLOCK()) - 1},
    )


def created(api_key: str, user_id: str, operation_id: str = "order-1", payload: str = "Pay 10 EUR") -> None:
    """Arrange: the client has created a pending operation for the user."""
    answer = create(api_key, {"operationId": operation_id, "operationPayload": payload}, user=user_id)
    assert answer.status == 200, answer.body
