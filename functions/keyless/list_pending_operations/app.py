"""Keyless: a user's pending operations, oldest first (GET /v2/users/{userId}/operations/pending)."""

from assent.access import ClientCaller
from assent.core.http import entrypoint
from assent.families import keyless
from assent.wiring import operations_service

app = keyless.resolver()


@app.get("/v2/users/<userId>/operations/pending")
def list_pending_operations(userId: keyless.UserId, client: ClientCaller) -> list[keyless.PendingOperation]:
    pending = operations_service().pending_for_user(client, userId)
    return [keyless.pending_view(operation) for operation in pending]


lambda_handler = entrypoint(app)
