"""Metasky: e-mail the user a one-time code for an order
(POST /api/v1/user/{user_uuid}/orders/{order_uuid}/secure-action/init)."""

from assent.access import ClientCaller
from assent.core.errors import SecureActionUsed, TooManyRequests, UserNotFound
from assent.core.http import entrypoint, refuses
from assent.families import metasky
from assent.wiring import secure_actions

app = metasky.resolver()


@app.post("/api/v1/user/<user_uuid>/orders/<order_uuid>/secure-action/init")
@refuses(UserNotFound, SecureActionUsed, TooManyRequests)
def init_secure_action(
    user_uuid: metasky.UserUuid,
    order_uuid: metasky.OrderUuid,
    client: ClientCaller,
    body: metasky.InitBody | None = None,
) -> metasky.Envelope:
    order = body or metasky.InitBody()
    action = secure_actions().init(
        client, metasky.user_id(user_uuid), order_uuid, order_type=order.order_type, reference=order.reference
    )
    return metasky.answer("secure action init successful", metasky.init_data(action))


lambda_handler = entrypoint(app)
