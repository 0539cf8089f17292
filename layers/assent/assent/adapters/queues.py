"""An SQS queue that work is handed to: a message, optionally held back (at most 15 minutes, SQS's limit)."""

from __future__ import annotations

import json
from typing import Any

MAX_DELAY_SECONDS = 900


class Queue:
    def __init__(self, sqs_client: Any, url: str) -> None:
        self._sqs = sqs_client
        self.url = url

    def send(self, body: dict[str, Any], *, delay_seconds: int = 0) -> None:
        self._sqs.send_message(
            QueueUrl=self.url,
            MessageBody=json.dumps(body, separators=(",", ":")),
            DelaySeconds=max(0, min(MAX_DELAY_SECONDS, delay_seconds)),
        )

    def hold_back(self, receipt_handle: str, seconds: int) -> None:
        """Let a received message be received again after `seconds` (up to 12 hours), not before."""
        self._sqs.change_message_visibility(
            QueueUrl=self.url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
