"""UNLOQ: the calling client's authorisation actions (GET /v1/actions)."""

from assent.access import ClientCaller
from assent.core.http import entrypoint
from assent.families import unloq
from assent.wiring import actions_service

app = unloq.resolver()


@app.get("/v1/actions")
def list_actions(client: ClientCaller) -> unloq.ActionsAnswer:
    actions = actions_service().list(client)
    return unloq.ActionsAnswer(
        type="api.application.action.list", result=[unloq.action_view(a) for a in actions]
    )


lambda_handler = entrypoint(app)
