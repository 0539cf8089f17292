"""A user's device approves a pending operation with a signature of exactly what it showed
(POST /device/v1/operations/{requestId}/approve)."""

from assent.access import UserCaller
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.services.approvals import DECISION_REFUSALS, Decision
from assent.wiring import approvals

app = hyphen.resolver()


@app.post("/device/v1/operations/<requestId>/approve")
@refuses(*DECISION_REFUSALS)
def approve_operation(
    requestId: hyphen.RequestId, body: hyphen.DecisionBody, user: UserCaller
) -> hyphen.DecisionResponse:
    return hyphen.decision_response(
        approvals().decide(user.user_id, requestId, body.signed(Decision.APPROVE))
    )


lambda_handler = entrypoint(app)
