"""A Metasky client back end in tests: starts, verifies and reads an order's secure action."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Answer, api_event, invoke

ORDER = "61c8f27a-442f-4d9e-a5b9-1463a80f46c3"


def as_uuid(user_id: str) -> str:
    return str(uuid.UUID(user_id))


def init(api_key: str, user_uuid: str, order: str = ORDER, body: Any = None) -> Answer:
    """Metasky's init, with no body as its docs show it, or with `body` ({order_type, reference})."""
    event = api_event(
        "metasky/secure_action_init.json",
        path_parameters={"user_uuid": user_uuid, "order_uuid": order},
        headers={"X-Api-Key": api_key},
        **({"body": body} if body is not None else {}),
    )
    return invoke("SecureActionInitFunction", event)


def verify(
    api_key: str,
    user_uuid: str,
    action_uuid: str,
    code: str,
    order: str = ORDER,
    order_type: str = "transfer",
) -> Answer:
    event = api_event(
        "metasky/secure_action_verify.json",
        path_parameters={"user_uuid": user_uuid, "order_type": order_type, "order_uuid": order},
        body={"secure_action_uuid": action_uuid, "secure_action_code": code},
        headers={"X-Api-Key": api_key},
    )
    return invoke("SecureActionVerifyFunction", event)


def state(api_key: str, user_uuid: str, order: str = ORDER) -> Answer:
    event = api_event(
        "metasky/secure_action_state.json",
        path_parameters={"user_uuid": user_uuid, "order_uuid": order},
        headers={"X-Api-Key": api_key},
    )
    return invoke("SecureActionStateFunction", event)
