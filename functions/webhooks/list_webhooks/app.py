"""Webhooks: the calling client's endpoints, without their secrets (GET /v1/webhooks)."""

from assent.access import ClientCaller
from assent.core.http import entrypoint
from assent.families import webhooks
from assent.wiring import webhooks as webhook_endpoints

app = webhooks.resolver()


@app.get("/v1/webhooks")
def list_webhooks(client: ClientCaller) -> webhooks.WebhookList:
    return webhooks.WebhookList(webhooks=[webhooks.webhook_view(e) for e in webhook_endpoints().of(client)])


lambda_handler = entrypoint(app)
