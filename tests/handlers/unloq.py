"""UNLOQ's authorisation actions through their handlers, as a client back end calls them, for tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import Answer, api_event, invoke

# The seed's own examples.
WELCOME = {
    "code": "welcome",
    "title": "Welcome, $name !",
    "message": "All you have to do now is confirm your phone: $phone",
}
PAYMENT = {
    "code": "demo-code",
    "title": "Approve $amount?",
    "message": "You have a pending transaction of $$amount. Proceed with payment for $company?",
    "approve": "Yes",
    "deny": "Cancel",
}


def bearer(api_key: str | None) -> dict[str, str | None]:
    return {"Authorization": f"Bearer {api_key}" if api_key else None}


def create_action(api_key: str, body: Any, **headers: str | None) -> Answer:
    event = api_event("unloq/create_action.json", body=body, headers={**bearer(api_key), **headers})
    return invoke("CreateActionFunction", event)


def list_actions(api_key: str) -> Answer:
    return invoke("ListActionsFunction", api_event("unloq/list_actions.json", headers=bearer(api_key)))


def get_action(api_key: str, code: str) -> Answer:
    event = api_event("unloq/get_action.json", path_parameters={"code": code}, headers=bearer(api_key))
    return invoke("GetActionFunction", event)


def update_action(api_key: str, code: str, body: Any) -> Answer:
    event = api_event(
        "unloq/update_action.json", path_parameters={"code": code}, body=body, headers=bearer(api_key)
    )
    return invoke("UpdateActionFunction", event)


def delete_action(api_key: str, code: str) -> Answer:
    event = api_event("unloq/delete_action.json", path_parameters={"code": code}, headers=bearer(api_key))
    return invoke("DeleteActionFunction", event)


def authorize(api_key: str, code: str, body: Any) -> Answer:
    event = api_event(
        "unloq/authorize.json", path_parameters={"code": code}, body=body, headers=bearer(api_key)
    )
    return invoke("AuthorizeFunction", event)


def get_approval(api_key: str, approval_id: str, *, wait: int | None = None) -> Answer:
    event = api_event("unloq/get_approval.json", path_parameters={"id": approval_id}, headers=bearer(api_key))
    if wait is not None:
        event["queryStringParameters"] = {"wait": str(wait)}
        event["multiValueQueryStringParameters"] = {"wait": [str(wait)]}
    return invoke("GetApprovalFunction", event)


def cancel_approval(api_key: str, approval_id: str) -> Answer:
    event = api_event(
        "unloq/cancel_approval.json", path_parameters={"id": approval_id}, headers=bearer(api_key)
    )
    return invoke("CancelApprovalFunction", event)


def defined(api_key: str, action: dict[str, Any]) -> dict[str, Any]:
    status, _, body = create_action(api_key, action)
    assert status == 200, body
    result: dict[str, Any] = body["result"]
    return result


def pay(email: str, amount: str = "25.00", **fields: Any) -> dict[str, Any]:
    """An authorisation request for the PAYMENT action, answered at once unless `wait` says otherwise."""
    return {
        "email": email,
        "reference": "order-1001",
        "variables": {"amount": amount, "company": "Example Shop"},
        "wait": 0,
        **fields,
    }
