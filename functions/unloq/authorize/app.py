"""UNLOQ: ask a user to approve an action on their device, and wait a bounded time for the decision
(POST /v1/authorize/{code})."""

from aws_lambda_powertools.event_handler import Response

from assent.access import ClientCaller
from assent.core.errors import (
    ActionInactive,
    ActionNotFound,
    ApprovalCancelled,
    ApprovalDenied,
    ApprovalTimeout,
    NoApprovingDevice,
    NumberRequired,
    RenderedTooLong,
    RequestsThrottled,
    VariablesRefused,
)
from assent.core.http import also_answers, entrypoint, refuses
from assent.families import unloq
from assent.services.authorizations import settled
from assent.wiring import authorizations

app = unloq.resolver()


@app.post("/v1/authorize/<code>")
@refuses(
    NumberRequired,
    VariablesRefused,
    RenderedTooLong,
    ApprovalCancelled,
    ApprovalDenied,
    ActionNotFound,
    NoApprovingDevice,
    ActionInactive,
    ApprovalTimeout,
    RequestsThrottled,
)
@also_answers(202, "Pending: the user has not decided yet")
def authorize(
    code: unloq.ActionCode, body: unloq.AuthorizeBody, client: ClientCaller
) -> Response[unloq.ApprovalAnswer]:
    time_left = app.lambda_context.get_remaining_time_in_millis() / 1000
    operation = authorizations().authorize(client, body.request(code), time_left=time_left)
    return unloq.approval_answer("authorize", settled(operation))


lambda_handler = entrypoint(app)
