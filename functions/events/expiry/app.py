"""Expiry timers: an operation still pending at its deadline is stored `expired`, which its table's stream
then reports as `operation.expired`."""

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from assent.core.batches import queue_entrypoint
from assent.wiring import expiry


def expire_if_due(record: SQSRecord) -> None:
    timer = json.loads(record.body)
    expiry().due(str(timer["clientId"]), str(timer["operationId"]))


lambda_handler = queue_entrypoint(expire_if_due)
