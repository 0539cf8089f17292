"""Webhooks: send one delivery again, as it was, with the same `webhook-id`
(POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay)."""

from assent.access import ClientCaller
from assent.core.errors import WebhookNotFound
from assent.core.http import entrypoint, refuses
from assent.families import webhooks
from assent.wiring import webhooks as webhook_endpoints

app = webhooks.resolver()


@app.post("/v1/webhooks/<id>/deliveries/<deliveryId>/replay", status_code=202)
@refuses(WebhookNotFound)
def replay_delivery(
    id: webhooks.WebhookId, deliveryId: webhooks.DeliveryId, client: ClientCaller
) -> webhooks.DeliveryView:
    return webhooks.delivery_view(webhook_endpoints().replay(client, id, deliveryId))


lambda_handler = entrypoint(app)
