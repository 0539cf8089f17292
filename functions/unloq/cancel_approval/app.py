"""UNLOQ: cancel one of the calling client's pending authorisation requests (DELETE /v1/approvals/{id}); a
call waiting for its decision answers at once."""

from aws_lambda_powertools.event_handler import Response

from assent.access import ClientCaller
from assent.core.errors import ApprovalNotFound, OperationNotPending
from assent.core.http import entrypoint, refuses
from assent.families import unloq
from assent.wiring import authorizations

app = unloq.resolver()


@app.delete("/v1/approvals/<id>")
@refuses(ApprovalNotFound, OperationNotPending)
def cancel_approval(id: unloq.ApprovalId, client: ClientCaller) -> Response[unloq.ApprovalAnswer]:
    return unloq.approval_answer("cancel", authorizations().cancel(client, id))


lambda_handler = entrypoint(app)
