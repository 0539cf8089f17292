"""UNLOQ: where one of the calling client's authorisation requests stands, waiting a bounded time for its
decision if asked (GET /v1/approvals/{id}?wait=N)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from assent.access import ClientCaller
from assent.core.errors import ApprovalCancelled, ApprovalDenied, ApprovalNotFound, ApprovalTimeout
from assent.core.http import also_answers, entrypoint, refuses
from assent.families import unloq
from assent.services.authorizations import settled
from assent.wiring import authorizations

app = unloq.resolver()


@app.get("/v1/approvals/<id>")
@refuses(ApprovalCancelled, ApprovalDenied, ApprovalNotFound, ApprovalTimeout)
@also_answers(202, "Pending: the user has not decided yet")
def get_approval(
    id: unloq.ApprovalId,
    client: ClientCaller,
    wait: Annotated[int, Query(ge=0, le=25, description="Seconds to wait for a decision")] = 0,
) -> Response[unloq.ApprovalAnswer]:
    time_left = app.lambda_context.get_remaining_time_in_millis() / 1000
    operation = authorizations().get(client, id, wait_seconds=wait, time_left=time_left)
    # The same statuses as authorising: 200 approved, 202 pending, APPROVAL.DENIED, APPROVAL.TIMEOUT.
    return unloq.approval_answer("read", settled(operation))


lambda_handler = entrypoint(app)
