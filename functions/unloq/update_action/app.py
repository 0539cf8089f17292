"""UNLOQ: change, deactivate or reactivate an authorisation action (PUT /v1/actions/{code})."""

from assent.access import ClientCaller
from assent.core.errors import ActionNotFound, VariablesRefused
from assent.core.http import entrypoint, refuses
from assent.families import unloq
from assent.model.actions import ActionChanges
from assent.wiring import actions_service

app = unloq.resolver()


@app.put("/v1/actions/<code>")
@refuses(VariablesRefused, ActionNotFound)
def update_action(
    code: unloq.ActionCode, body: unloq.UpdateActionBody, client: ClientCaller
) -> unloq.ActionAnswer:
    changes = ActionChanges(**body.model_dump())
    return unloq.action_answer("update", actions_service().update(client, code, changes))


lambda_handler = entrypoint(app)
