"""Webhooks: a new secret for one of the calling client's endpoints; the old one signs beside it for a day
(POST /v1/webhooks/{id}/rotate)."""

from assent.access import ClientCaller
from assent.core.errors import WebhookNotFound
from assent.core.http import entrypoint, refuses
from assent.families import webhooks
from assent.wiring import webhooks as webhook_endpoints

app = webhooks.resolver()


@app.post("/v1/webhooks/<id>/rotate")
@refuses(WebhookNotFound)
def rotate_webhook_secret(id: webhooks.WebhookId, client: ClientCaller) -> webhooks.RotatedWebhook:
    endpoint, secret = webhook_endpoints().rotate(client, id)
    return webhooks.rotated(endpoint, secret)


lambda_handler = entrypoint(app)
