"""UNLOQ: one of the calling client's authorisation actions (GET /v1/actions/{code})."""

from assent.access import ClientCaller
from assent.core.errors import ActionNotFound
from assent.core.http import entrypoint, refuses
from assent.families import unloq
from assent.wiring import actions_service

app = unloq.resolver()


@app.get("/v1/actions/<code>")
@refuses(ActionNotFound)
def get_action(code: unloq.ActionCode, client: ClientCaller) -> unloq.ActionAnswer:
    return unloq.action_answer("read", actions_service().get(client, code))


lambda_handler = entrypoint(app)
