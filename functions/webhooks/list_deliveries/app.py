"""Webhooks: the delivery log of one of the calling client's endpoints, newest first
(GET /v1/webhooks/{id}/deliveries)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from assent.access import ClientCaller
from assent.core.errors import WebhookNotFound
from assent.core.http import entrypoint, refuses
from assent.families import webhooks
from assent.wiring import webhooks as webhook_endpoints

app = webhooks.resolver()


@app.get("/v1/webhooks/<id>/deliveries")
@refuses(WebhookNotFound)
def list_deliveries(
    id: webhooks.WebhookId,
    client: ClientCaller,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, newest first")] = 50,
) -> webhooks.DeliveryList:
    found = webhook_endpoints().deliveries(client, id, limit=limit)
    return webhooks.DeliveryList(deliveries=[webhooks.delivery_view(d) for d in found])


lambda_handler = entrypoint(app)
