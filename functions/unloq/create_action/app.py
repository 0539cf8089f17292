"""UNLOQ: define an authorisation action, a template with $variables (POST /v1/actions)."""

from assent.access import ClientCaller
from assent.core.errors import ActionExists, VariablesRefused
from assent.core.http import entrypoint, refuses
from assent.families import unloq
from assent.wiring import actions_service

app = unloq.resolver()


@app.post("/v1/actions")
@refuses(VariablesRefused, ActionExists)
def create_action(body: unloq.CreateActionBody, client: ClientCaller) -> unloq.ActionAnswer:
    action = actions_service().create(
        client,
        code=body.code,
        title=body.title,
        message=body.message,
        approve=body.approve,
        deny=body.deny,
        number_matching=body.number_matching,
    )
    return unloq.action_answer("create", action)


lambda_handler = entrypoint(app)
