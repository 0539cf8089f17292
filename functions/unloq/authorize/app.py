"""UNLOQ: ask a user to approve an action on their device, and wait a bounded time for the decision
(POST /v1/authorize/{code})."""

from aws_lambda_powertools.event_handler import Response

from assent.access import ClientCaller
from assent.authorizations import settled
from assent.families import unloq
from assent.http import entrypoint
from assent.services import authorizations

app = unloq.resolver()


@app.post("/v1/authorize/<code>")
def authorize(
    code: unloq.ActionCode, body: unloq.AuthorizeBody, client: ClientCaller
) -> Response[unloq.ApprovalAnswer]:
    time_left = app.lambda_context.get_remaining_time_in_millis() / 1000
    operation = authorizations().authorize(client, body.request(code), time_left=time_left)
    return unloq.approval_answer("authorize", settled(operation))


lambda_handler = entrypoint(app)
