"""UNLOQ: delete an authorisation action; requests made keep their text (DELETE /v1/actions/{code})."""

from assent.access import ClientCaller
from assent.core.errors import ActionNotFound
from assent.core.http import entrypoint, refuses
from assent.families import unloq
from assent.wiring import actions_service

app = unloq.resolver()


@app.delete("/v1/actions/<code>")
@refuses(ActionNotFound)
def delete_action(code: unloq.ActionCode, client: ClientCaller) -> unloq.ActionAnswer:
    return unloq.action_answer("delete", actions_service().delete(client, code))


lambda_handler = entrypoint(app)
