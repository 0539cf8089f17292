"""UNLOQ: where one of the calling client's authorisation requests stands (GET /v1/approvals/{id})."""

from aws_lambda_powertools.event_handler import Response

from assent.access import ClientCaller
from assent.authorizations import settled
from assent.families import unloq
from assent.http import entrypoint
from assent.services import authorizations

app = unloq.resolver()


@app.get("/v1/approvals/<id>")
def get_approval(id: unloq.ApprovalId, client: ClientCaller) -> Response[unloq.ApprovalAnswer]:
    # The same statuses as authorising: 200 approved, 202 pending, APPROVAL.DENIED, APPROVAL.TIMEOUT.
    return unloq.approval_answer("read", settled(authorizations().get(client, id)))


lambda_handler = entrypoint(app)
