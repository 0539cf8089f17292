"""Metasky's secure actions over the local gateway: the code goes through SES (moto's, read at /_local/outbox)
and races are run against the serialised local store, as SECURITY.md 20 asks."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import boto3
import requests

from tests.e2e.conftest import SECURE_ACTION_RESEND_SECONDS, TRIALS, Gateway, race, signed_up
from tests.handlers.hyphen import Device

MAX_ATTEMPTS = 5


class Order:
    """A signed-up user and one of their orders, as a client back end sees them."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.email = f"raider-{time.time_ns()}@metasky.ai"
        account = signed_up(gateway, Device().user_key(), self.email)["account"]
        self.user_uuid = str(uuid.UUID(account["id"]))
        self.order_uuid = str(uuid.uuid4())
        self.headers = {"X-Api-Key": gateway.api_key}

    def init(self) -> requests.Response:
        url = f"{self.gateway.url}/api/v1/user/{self.user_uuid}/orders/{self.order_uuid}/secure-action/init"
        return requests.post(url, headers=self.headers, timeout=10)

    def started(self) -> tuple[str, str]:
        answer = self.init()
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]["secure_action_uuid"], self.last_code()

    def last_code(self) -> str:
        outbox = requests.get(self.gateway.url + "/_local/outbox", timeout=10).json()
        codes = [
            code
            for mail in outbox
            if self.email in (mail.get("destinations") or {}).get("ToAddresses", [])
            for code in re.findall(r"code is (\d{6})", mail["body"])
        ]
        return codes[-1]

    def verify(self, action: str, code: str) -> requests.Response:
        order = f"orders/transfer/{self.order_uuid}"
        url = f"{self.gateway.url}/api/v1/user/{self.user_uuid}/{order}/secure-action/verify"
        body = {"secure_action_uuid": action, "secure_action_code": code}
        return requests.post(url, json=body, headers=self.headers, timeout=30)

    def state(self) -> dict[str, Any]:
        url = f"{self.gateway.url}/api/v1/user/{self.user_uuid}/orders/{self.order_uuid}/secure-action"
        answer = requests.get(url, headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_init_read_the_mailed_code_verify_and_read_the_state(gateway: Gateway):
    order = Order(gateway)

    answer = order.init()

    assert answer.status_code == 200
    body = answer.json()
    assert body["message"] == "secure action init successful" and body["status"] == "success"
    assert body["data"]["secure_action_mode"] == "email" and body["data"]["order_uuid"] == order.order_uuid
    assert body["data"]["secure_action_identifier"].endswith("@metasky.ai")
    assert body["data"]["secure_action_identifier"] != order.email
    assert re.fullmatch(r"[0-9a-f-]{36}", body["request_id"])
    verified = order.verify(body["data"]["secure_action_uuid"], order.last_code())
    assert verified.status_code == 200 and verified.json()["message"] == "secure action verify successful"
    assert order.state()["state"] == "verified"


def test_parallel_wrong_guesses_evaluate_at_most_the_limit(gateway: Gateway):
    """SECURITY.md 20: twelve simultaneous wrong codes; at most five are compared, the rest are refused
    before any comparison, and then even the right code is. In each of many trials."""
    for _ in range(TRIALS):
        order = Order(gateway)
        action, code = order.started()

        statuses = race(
            12, lambda order=order, action=action, code=code: order.verify(action, wrong(code)).status_code
        )

        assert sorted(statuses) == [400] * MAX_ATTEMPTS + [429] * (12 - MAX_ATTEMPTS)
        assert order.verify(action, code).status_code == 429
        assert order.state()["state"] == "locked"


def test_a_resent_code_invalidates_the_old_one(gateway: Gateway):
    order = Order(gateway)
    first, first_code = order.started()
    assert order.init().status_code == 429  # too soon

    time.sleep(SECURE_ACTION_RESEND_SECONDS + 0.2)
    second, second_code = order.started()

    assert order.verify(first, first_code).json()["data"]["code"] == "SECURE_ACTION_SUPERSEDED"
    assert order.verify(second, second_code).status_code == 200


def test_an_expired_action_still_in_the_table_is_refused(gateway: Gateway):
    """SECURITY.md 4: the item is there (TTL deletes days late), but past its time."""
    order = Order(gateway)
    action, code = order.started()
    table = boto3.resource(
        "dynamodb",
        endpoint_url=gateway.store_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).Table("SecureActionsTable")
    [item] = [i for i in table.scan()["Items"] if i["order_uuid"] == order.order_uuid]
    table.update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 1},
    )

    refused = order.verify(action, code)

    assert refused.status_code == 410 and refused.json()["data"]["code"] == "SECURE_ACTION_EXPIRED"
    assert order.state()["state"] == "expired"
