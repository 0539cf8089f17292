"""Metasky: check the code the user gives for an order, once
(POST /api/v1/user/{user_uuid}/orders/{order_type}/{order_uuid}/secure-action/verify)."""

from assent.access import ClientCaller
from assent.core.errors import (
    InvalidCode,
    OrderNotFound,
    OrderTypeMismatch,
    SecureActionExpired,
    SecureActionLocked,
    SecureActionSuperseded,
    SecureActionUsed,
    UserNotFound,
)
from assent.core.http import entrypoint, refuses
from assent.families import metasky
from assent.wiring import secure_actions

app = metasky.resolver()


@app.post("/api/v1/user/<user_uuid>/orders/<order_type>/<order_uuid>/secure-action/verify")
@refuses(
    InvalidCode,
    SecureActionSuperseded,
    UserNotFound,
    OrderNotFound,
    SecureActionUsed,
    SecureActionExpired,
    SecureActionLocked,
    OrderTypeMismatch,
)
def verify_secure_action(
    user_uuid: metasky.UserUuid,
    order_type: metasky.OrderType,
    order_uuid: metasky.OrderUuid,
    body: metasky.VerifyBody,
    client: ClientCaller,
) -> metasky.Envelope:
    secure_action_uuid = body.secure_action_uuid.lower()
    secure_actions().verify(
        client,
        metasky.user_id(user_uuid),
        order_type,
        order_uuid,
        secure_action_uuid,
        body.secure_action_code,
    )
    data = metasky.VerifyData(order_uuid=order_uuid, secure_action_uuid=secure_action_uuid)
    return metasky.answer("secure action verify successful", data)


lambda_handler = entrypoint(app)
