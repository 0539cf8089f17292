"""Pushes: a user's devices told, through SNS mobile push, that a request waits for them."""

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from assent.core.batches import queue_entrypoint
from assent.wiring import pushes


def push(record: SQSRecord) -> None:
    pushes().notify(json.loads(record.body))


lambda_handler = queue_entrypoint(push)
