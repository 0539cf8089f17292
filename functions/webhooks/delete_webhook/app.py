"""Webhooks: remove one of the calling client's endpoints; nothing more is sent to it
(DELETE /v1/webhooks/{id})."""

from aws_lambda_powertools.event_handler import Response

from assent.access import ClientCaller
from assent.core.errors import WebhookNotFound
from assent.core.http import entrypoint, refuses
from assent.families import webhooks
from assent.wiring import webhooks as webhook_endpoints

app = webhooks.resolver()


@app.delete("/v1/webhooks/<id>", status_code=204)
@refuses(WebhookNotFound)
def delete_webhook(id: webhooks.WebhookId, client: ClientCaller) -> Response[None]:
    webhook_endpoints().remove(client, id)
    return Response(status_code=204)


lambda_handler = entrypoint(app)
