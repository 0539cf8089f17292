"""Keyless: one of the calling client's operations (GET /v2/operations/{operationId})."""

from assent.access import ClientCaller
from assent.core.errors import OperationNotFound
from assent.core.http import entrypoint, refuses
from assent.families import keyless
from assent.wiring import operations_service

app = keyless.resolver()


@app.get("/v2/operations/<operationId>")
@refuses(OperationNotFound)
def get_operation(operationId: keyless.OperationId, client: ClientCaller) -> keyless.OperationView:
    return keyless.operation_view(operations_service().get(client, operationId))


lambda_handler = entrypoint(app)
