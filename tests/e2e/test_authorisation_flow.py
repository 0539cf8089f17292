"""UNLOQ's authorisation actions over the local gateway: a client back end defines an action and asks; the
user's device (a real P-256 key, `cryptography`) sees the rendered text and decides; the client reads it."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Gateway, signed_up
from tests.handlers.hyphen import Device, approval_digest

ACTION = {
    "title": "Approve $amount?",
    "message": "You have a pending transaction of $$amount. Proceed with payment for $company?",
    "approve": "Pay",
    "deny": "Refuse",
}
RENDERED_MESSAGE = "You have a pending transaction of $25.00. Proceed with payment for Example Shop?"


class Person:
    """A signed-up user with their phone, talking to the gateway as a device app does."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.device = Device()
        self.email = f"ada-{time.time_ns()}@example.com"
        answer = signed_up(gateway, self.device.user_key(), self.email)
        self.auth = {"Authorization": f"Bearer {answer['credentials']['accessToken']}"}

    def shown(self, request_id: str | None = None) -> dict[str, Any]:
        """The request as the phone lists it (or, without an id, the first listed), once it is there."""
        url = self.gateway.url + "/device/v1/operations/pending"
        for _ in range(50):
            listed = requests.get(url, headers=self.auth, timeout=10).json()["operations"]
            if found := [op for op in listed if request_id in (None, op["operationId"])]:
                return found[0]
            time.sleep(0.1)
        pytest.fail(f"{request_id} never reached the device")

    def decide(self, shown: dict[str, Any], decision: str, number: str | None = None) -> requests.Response:
        digest = approval_digest(decision, shown, number)
        body: dict[str, Any] = {"publicKey": self.device.public_key, "signature": self.device.sign(digest)}
        body["authType"] = "biom"
        if number is not None:
            body["number"] = number
        url = self.gateway.url + f"/device/v1/operations/{shown['requestId']}/{decision}"
        return requests.post(url, json=body, headers=self.auth, timeout=10)


class Client:
    """A client back end with its API key."""

    def __init__(self, gateway: Gateway) -> None:
        self.url = gateway.url
        self.headers = {"Authorization": f"Bearer {gateway.api_key}"}

    def define(self, **changes: Any) -> str:
        code = f"pay-{time.time_ns() % 10**12}"
        answer = requests.post(
            self.url + "/v1/actions",
            json={**ACTION, "code": code, **changes},
            headers=self.headers,
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return code

    def authorize(self, code: str, email: str, **fields: Any) -> requests.Response:
        body = {
            "email": email,
            "reference": "order-7",
            "variables": {"amount": "25.00", "company": "Example Shop"},
        }
        return requests.post(
            self.url + f"/v1/authorize/{code}", json={**body, **fields}, headers=self.headers, timeout=40
        )

    def read(self, request_id: str, wait: int = 0) -> requests.Response:
        url = self.url + f"/v1/approvals/{request_id}?wait={wait}"
        return requests.get(url, headers=self.headers, timeout=40)


def test_approve_with_number_matching_while_the_client_waits(gateway: Gateway):
    person, client = Person(gateway), Client(gateway)
    code = client.define(number_matching=True)

    asked = client.authorize(code, person.email, wait=0)
    assert asked.status_code == 202, asked.text
    request = asked.json()["result"]
    shown = person.shown(request["id"])
    display = json.loads(shown["payload"])
    assert (display["title"], display["message"]) == ("Approve 25.00?", RENDERED_MESSAGE)
    assert (display["approve"], display["deny"], display["reference"]) == ("Pay", "Refuse", "order-7")
    assert shown["numberMatching"] is True and "number" not in display

    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(client.read, request["id"], 20)  # the client waits on the decision
        time.sleep(0.5)
        decided = person.decide(shown, "approve", number=request["number"])  # the person types the number
        began = time.monotonic()
        outcome = waiting.result()

    assert decided.status_code == 200, decided.text
    assert outcome.status_code == 200 and outcome.json()["result"]["state"] == "approved"
    assert time.monotonic() - began < 5  # the waiting read saw the decision, not its own deadline


def test_a_blocking_authorise_answers_a_denial(gateway: Gateway):
    person, client = Person(gateway), Client(gateway)
    code = client.define()

    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(client.authorize, code, person.email, wait=20)
        shown = person.shown()  # the client's call is still waiting, so only the phone knows the id
        assert json.loads(shown["payload"])["message"] == RENDERED_MESSAGE
        assert person.decide(shown, "deny").status_code == 200
        outcome = waiting.result()

    assert outcome.status_code == 403
    assert outcome.json() == {
        "error": {"code": "APPROVAL.DENIED", "message": "the user denied the request", "status": 403}
    }


def test_a_request_nobody_decides_times_out(gateway: Gateway):
    person, client = Person(gateway), Client(gateway)
    code = client.define()

    outcome = client.authorize(code, person.email, timeout=10)  # waits, by default, as long as it lives

    assert outcome.status_code == 410 and outcome.json()["error"]["code"] == "APPROVAL.TIMEOUT"


def test_a_wrong_number_denies_the_request(gateway: Gateway):
    person, client = Person(gateway), Client(gateway)
    code = client.define(number_matching=True)
    request = client.authorize(code, person.email, wait=0).json()["result"]
    wrong = "10" if request["number"] != "10" else "11"

    refused = person.decide(person.shown(request["id"]), "approve", number=wrong)

    assert refused.status_code == 403 and refused.json()["error"] == "NUMBER_MISMATCH"
    outcome = client.read(request["id"])
    assert outcome.status_code == 403 and "number" in outcome.json()["error"]["message"]
