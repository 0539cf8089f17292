"""Metasky: whether an order's secure action is verified, when and through which key, for the client to
check before it acts (GET /api/v1/user/{user_uuid}/orders/{order_uuid}/secure-action)."""

from assent.access import ClientCaller
from assent.core.errors import OrderNotFound, UserNotFound
from assent.core.http import entrypoint, refuses
from assent.families import metasky
from assent.wiring import secure_actions

app = metasky.resolver()


@app.get("/api/v1/user/<user_uuid>/orders/<order_uuid>/secure-action")
@refuses(UserNotFound, OrderNotFound)
def secure_action_state(
    user_uuid: metasky.UserUuid, order_uuid: metasky.OrderUuid, client: ClientCaller
) -> metasky.Envelope:
    action = secure_actions().get(client, metasky.user_id(user_uuid), order_uuid)
    return metasky.answer("secure action fetch successful", metasky.state_data(action))


lambda_handler = entrypoint(app)
