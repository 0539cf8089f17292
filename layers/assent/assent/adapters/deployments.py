"""The seam where a deployer plugs in: a new account's chain deployment, requested as an SQS message.

Assent cannot deploy smart-contract accounts itself. It records the chain, marks the account not yet
deployed, and sends `{"type": "account.deploy", userId, chainName, publicKey, requestedAt}` to the
deployment queue; whatever consumes the queue deploys and sets `account_deployed` on the user's item.
"""

from __future__ import annotations

import json
from typing import Any


class AccountDeployments:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url

    def request(self, *, user_id: str, chain_name: str, public_key: str, requested_ms: int) -> None:
        body = {
            "type": "account.deploy",
            "userId": user_id,
            "chainName": chain_name,
            "publicKey": public_key,
            "requestedAt": requested_ms,
        }
        self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(body, separators=(",", ":")))
