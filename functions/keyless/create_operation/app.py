"""Keyless: create a pending operation for a user (POST /v2/users/{userId}/operations)."""

from assent.access import ClientCaller
from assent.core.errors import OperationExists, RequestsThrottled
from assent.core.http import entrypoint, refuses
from assent.families import keyless
from assent.wiring import operations_service

app = keyless.resolver()


@app.post("/v2/users/<userId>/operations")
@refuses(OperationExists, RequestsThrottled)
def create_operation(
    userId: keyless.UserId, body: keyless.CreateOperationRequest, client: ClientCaller
) -> keyless.CreateOperationResponse:
    operations_service().create(
        client,
        user_id=userId,
        operation_id=body.operationId,
        payload=body.operationPayload,
        external_user_id=body.externalUserId,
    )
    return keyless.CreateOperationResponse(success=True)


lambda_handler = entrypoint(app)
