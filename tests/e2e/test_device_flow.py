"""Hyphen's device flow over the local gateway, driven by a real JavaScript client: WebCrypto P-256."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from tests.e2e.conftest import TRIALS, Gateway, race, signed_up
from tests.handlers.hyphen import Device, approval_digest

CLIENTS = Path(__file__).resolve().parent / "js"


def test_webcrypto_devices_sign_up_sign_in_approve_and_finish_a_2fa_sign_in(gateway: Gateway):
    email = f"ada-{time.time_ns()}@example.com"
    command = ["node", str(CLIENTS / "device_flow.mjs"), gateway.url + "/", email, gateway.api_key]

    run: dict[str, Any] = json.loads(
        subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout
    )

    assert run["signedUp"]["status"] == 201 and run["signedUp"]["body"]["account"]["deployed"] is False
    assert run["signedIn"]["status"] == 200
    assert run["signedIn"]["body"]["account"]["id"] == run["userId"]
    assert run["created"]["status"] == 200
    approval = run["operationApproval"]
    assert approval["digest"] == approval["listedDigest"]  # the client computed what the server expects
    assert approval["decided"]["status"] == 200 and approval["decided"]["body"]["state"] == "approved"
    keyless = run["keyless"]["body"]
    assert (keyless["result"], keyless["state"], keyless["authType"]) == (True, "approved", "biom")
    assert run["twoFactor"]["status"] == 201
    assert (run["whilePending"]["status"], run["whilePending"]["body"]["error"]) == (
        409,
        "TWO_FACTOR_PENDING",
    )
    shown = json.loads(run["shownToPhone"]["payload"])["newKey"]
    assert shown["device"]["name"] == "laptop"
    assert run["deviceApproval"]["decided"]["status"] == 200
    assert run["finished"]["status"] == 200 and run["finished"]["body"]["account"]["id"] == run["userId"]
    assert run["laptopSignedIn"]["status"] == 200


def _signed_up(gateway: Gateway, device: Device) -> dict[str, Any]:
    return signed_up(gateway, device.user_key(), f"race-{time.time_ns()}@example.com")


def test_simultaneous_answers_to_one_challenge_give_exactly_one_session(gateway: Gateway):
    """SECURITY.md 3: N concurrent responses to one challenge, exactly one success, in every trial."""
    device = Device()
    _signed_up(gateway, device)
    for _ in range(TRIALS):
        issued = requests.post(
            gateway.url + "/auth/v1/signin/challenge",
            json={"challengeType": "deviceKey", "publicKey": device.public_key},
            timeout=10,
        ).json()["challengeData"]
        body = {
            "challengeType": "deviceKey",
            "challengeData": issued,
            "deviceKey": {"signature": device.sign(issued)},
        }

        statuses = race(
            8,
            lambda body=body: (
                requests.post(
                    gateway.url + "/auth/v1/signin/challenge/respond", json=body, timeout=30
                ).status_code
            ),
        )

        assert sorted(statuses) == [200] + [401] * 7


def test_simultaneous_decisions_on_one_operation_give_exactly_one_winner(gateway: Gateway):
    """SECURITY.md 14: approvals, denials and the client's cancels race; one wins, the rest are 409, and the
    state stays."""
    for trial in range(TRIALS):
        if trial % 5 == 0:  # a new user every 5 trials: a user receives at most 10 requests a minute
            device = Device()
            signed_up = _signed_up(gateway, device)
            user_id, access = signed_up["account"]["id"], signed_up["credentials"]["accessToken"]
            auth = {"Authorization": f"Bearer {access}"}
        operation_id = f"race-{trial}-{time.time_ns()}"
        created = requests.post(
            gateway.url + f"/v2/users/{user_id}/operations",
            json={"operationId": operation_id, "operationPayload": "Pay 1 EUR"},
            headers={"X-Api-Key": gateway.api_key},
            timeout=10,
        )
        assert created.status_code == 200
        listed = requests.get(gateway.url + "/device/v1/operations/pending", headers=auth, timeout=10).json()
        shown = next(op for op in listed["operations"] if op["operationId"] == operation_id)
        decisions = ["approve", "deny", "cancel"] * 2

        def decide(
            decision: str, shown: dict[str, Any] = shown, device: Device = device, auth: dict = auth
        ) -> int:
            if decision == "cancel":
                url = gateway.url + f"/v2/operations/{shown['operationId']}"
                return requests.delete(url, headers={"X-Api-Key": gateway.api_key}, timeout=30).status_code
            digest = approval_digest(decision, shown)
            body = {"publicKey": device.public_key, "signature": device.sign(digest), "authType": "pin"}
            url = gateway.url + f"/device/v1/operations/{shown['requestId']}/{decision}"
            return requests.post(url, json=body, headers=auth, timeout=30).status_code

        statuses = race(len(decisions), lambda decisions=decisions: decide(decisions.pop()))

        assert sorted(statuses) == [200] + [409] * 5
        final = requests.get(
            gateway.url + f"/v2/operations/{operation_id}", headers={"X-Api-Key": gateway.api_key}, timeout=10
        ).json()
        assert final["state"] in ("approved", "denied", "cancelled")
