"""Webhook deliveries: each queued delivery sent, signed; a failed one is received again after the next delay
of its schedule, and after the last it is dead-lettered."""

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from assent.core.batches import queue_entrypoint
from assent.services.webhook_delivery import Next, RetryLater
from assent.wiring import webhook_sender


def deliver(record: SQSRecord) -> None:
    message = json.loads(record.body)
    outcome = webhook_sender().send(message["clientId"], message["endpointId"], message["deliveryId"])
    if outcome.next is Next.RETRY:
        webhook_sender().hold_back(record.receipt_handle, outcome.delay)
        raise RetryLater(outcome.delay)


lambda_handler = queue_entrypoint(deliver)
