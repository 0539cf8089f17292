"""What waits for the signed-in user's decision, from every client and from Assent itself
(GET /device/v1/operations/pending)."""

from assent.access import UserCaller
from assent.core.http import entrypoint
from assent.families import hyphen
from assent.wiring import approvals

app = hyphen.resolver()


@app.get("/device/v1/operations/pending")
def pending_approvals(user: UserCaller) -> hyphen.PendingApprovals:
    pending = approvals().pending(user.user_id)
    return hyphen.PendingApprovals(operations=[hyphen.pending_approval(operation) for operation in pending])


lambda_handler = entrypoint(app)
