"""Keyless: cancel one of the calling client's pending operations (DELETE /v2/operations/{operationId})."""

from assent.access import ClientCaller
from assent.core.errors import OperationNotFound, OperationNotPending
from assent.core.http import entrypoint, refuses
from assent.families import keyless
from assent.wiring import operations_service

app = keyless.resolver()


@app.delete("/v2/operations/<operationId>")
@refuses(OperationNotFound, OperationNotPending)
def cancel_operation(operationId: keyless.OperationId, client: ClientCaller) -> keyless.OperationView:
    return keyless.operation_view(operations_service().cancel(client, operationId))


lambda_handler = entrypoint(app)
