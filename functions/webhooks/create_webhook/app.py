"""Webhooks: register an endpoint for the calling client; its secret is shown this once
(POST /v1/webhooks)."""

from assent.access import ClientCaller
from assent.core.errors import TooManyEndpoints
from assent.core.http import entrypoint, refuses
from assent.families import webhooks
from assent.wiring import webhooks as webhook_endpoints

app = webhooks.resolver()


@app.post("/v1/webhooks", status_code=201)
@refuses(TooManyEndpoints)
def create_webhook(body: webhooks.CreateWebhookBody, client: ClientCaller) -> webhooks.WebhookWithSecret:
    endpoint, secret = webhook_endpoints().add(client, body.url, body.events)
    return webhooks.with_secret(endpoint, secret)


lambda_handler = entrypoint(app)
