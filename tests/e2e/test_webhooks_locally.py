"""Over the local API, as `make run` serves it: the streams and queues feed their functions in its process,
so a decision reaches a client's webhook receiver, signed, and a push is recorded at /_local/push."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from assent_tools.device import approval_digest
from tests.e2e.conftest import Gateway, signed_up, start_gateway, wait_until
from tests.handlers.hyphen import Device
from tests.webhook_receiver import Receiver

DECISIONS = 20


def _user(gateway: Gateway, device: Device, email: str) -> tuple[str, dict[str, str]]:
    body = signed_up(gateway, {"type": "deviceKey", "publicKey": device.public_key}, email)
    return body["account"]["id"], {"Authorization": f"Bearer {body['credentials']['accessToken']}"}


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    """A local API of its own: the session's shared one may be sending other tests' webhooks (the fuzzer
    registers endpoints too), and a delivery waits its turn on the queue."""
    running = start_gateway()
    yield running
    running.stop()


def test_a_decision_reaches_the_clients_receiver_verified(gateway: Gateway):
    """The delay from a device's approval (its answer) to the client's receiver, over the local API: the
    median of 20 is printed (`-s`), not asserted (these machines are shared)."""
    receiver = Receiver().start()
    client = {"Authorization": f"Bearer {gateway.api_key}"}
    made = requests.post(
        gateway.url + "/v1/webhooks",
        json={"url": receiver.url, "events": ["operation.approved"]},
        headers=client,
        timeout=10,
    )
    assert made.status_code == 201, made.text
    try:
        secret = made.json()["secret"]
        delays = []
        for trial in range(DECISIONS):
            if trial % 5 == 0:  # a user receives at most 5 requests a minute from one client
                device = Device()
                user_id, auth = _user(gateway, device, f"hooks-{trial}-{time.time_ns()}@example.com")
            operation_id = f"hook-{trial}-{time.time_ns()}"
            created = requests.post(
                gateway.url + f"/v2/users/{user_id}/operations",
                json={"operationId": operation_id, "operationPayload": "Pay 1 EUR"},
                headers={"X-Api-Key": gateway.api_key},
                timeout=10,
            )
            assert created.status_code == 200, created.text
            listed = requests.get(
                gateway.url + "/device/v1/operations/pending", headers=auth, timeout=10
            ).json()
            shown = next(op for op in listed["operations"] if op["operationId"] == operation_id)
            body = {
                "publicKey": device.public_key,
                "signature": device.sign(approval_digest("approve", shown)),
                "authType": "biom",
            }
            before = len(receiver.received)
            approved = requests.post(
                gateway.url + f"/device/v1/operations/{shown['requestId']}/approve",
                json=body,
                headers=auth,
                timeout=10,
            )
            answered = time.time()
            assert approved.status_code == 200, approved.text
            assert wait_until(lambda before=before: len(receiver.received) > before), "".join(
                gateway.output[-40:]
            )
            delays.append(receiver.received[before].at - answered)

        bodies = receiver.verified(secret)
        assert [b["type"] for b in bodies] == ["operation.approved"] * DECISIONS
        assert len({r.headers["webhook-id"] for r in receiver.received}) == DECISIONS
        median_ms = statistics.median(delays) * 1000
        print(f"decision to webhook over the local API: median {median_ms:.0f} ms of {DECISIONS}")
    finally:
        # The local API is shared by the session's tests: others count the calls of a client with no webhook.
        requests.delete(gateway.url + f"/v1/webhooks/{made.json()['id']}", headers=client, timeout=10)
        receiver.stop()


def test_a_request_for_a_device_with_a_push_token_is_recorded_as_a_push(gateway: Gateway):
    device = Device()
    user_id, auth = _user(gateway, device, f"push-{time.time_ns()}@example.com")
    edited = requests.put(
        gateway.url + f"/device/v1/devices/{device.public_key}",
        json={"osName": "Android", "pushToken": f"fcm-{time.time_ns()}"},
        headers=auth,
        timeout=10,
    )
    assert edited.status_code == 200, edited.text
    operation_id = f"pushed-{time.time_ns()}"
    requests.post(
        gateway.url + f"/v2/users/{user_id}/operations",
        json={"operationId": operation_id, "operationPayload": "Pay 1 EUR"},
        headers={"X-Api-Key": gateway.api_key},
        timeout=10,
    )

    def pushed() -> list[dict[str, Any]]:
        return [
            p
            for p in requests.get(gateway.url + "/_local/push", timeout=10).json()
            if operation_id in p["message"]["GCM"]
        ]

    assert wait_until(lambda: bool(pushed()))
    [push] = pushed()
    assert push["token"].startswith("fcm-") and "Pay 1 EUR" not in str(push)
