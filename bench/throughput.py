"""Complete flows per second over the local gateway, from this (a second) process on loopback: a returning
wallet's sign-in, a device's sign-in, and an operation created by a client and approved from a device.
One client, one flow at a time; each flow runs FLOWS times or for SECONDS, whichever ends first.

The gateway serialises its store (moto's server, one request at a time) and runs handlers in-process, so
these figures rank flows against each other and track regressions; they are not Lambda's throughput.

    .venv/bin/python -m bench throughput
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import requests
from eth_account import Account
from eth_account.messages import encode_defunct

from bench.report import median, percentile, print_table
from tests.e2e.conftest import Gateway, signed_up, start_gateway
from tests.handlers.hyphen import Device, approval_digest

FLOWS, SECONDS = 60, 30.0
USERS = 16  # one client may send one user 5 approval requests a minute; the operations flow takes turns


def _ok(answer: requests.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, answer.text)
    body: dict[str, Any] = answer.json()
    return body


class Flows:
    def __init__(self, gateway: Gateway) -> None:
        self.url, self.api_key = gateway.url, gateway.api_key
        self.http = requests.Session()  # keep-alive, as a front end's HTTP client does
        self.wallet = Account.create()
        self.device = Device()
        signed_up(gateway, self.device.user_key(), f"bench-device-{time.time_ns()}@example.com")
        self.approvers = [
            (device, signed_up(gateway, device.user_key(), f"bench-{i}-{time.time_ns()}@x.org"))
            for i, device in enumerate(Device() for _ in range(USERS))
        ]
        self._turns = itertools.cycle(range(USERS))
        self._operations = itertools.count()
        self._onboard_wallet()

    def _post(self, path: str, body: dict[str, Any], status: int, **headers: str) -> dict[str, Any]:
        return _ok(self.http.post(self.url + path, json=body, headers=headers, timeout=30), status)

    def _wallet_validation(self) -> dict[str, Any]:
        data = self._post("/v1/auth/web3/request", {"account": self.wallet.address}, 200)["data"]
        signed = self.wallet.sign_message(encode_defunct(text=data["message"]))
        body = {
            "signedMessage": "0x" + bytes(signed.signature).hex(),
            "tempToken": data["tempToken"]["token"],
        }
        return self._post("/v1/auth/web3/validate", body, 202)["data"]

    def _onboard_wallet(self) -> None:
        step = self._wallet_validation()["tempToken"]["token"]
        body = {"tempToken": step, "firstName": "Ada", "lastName": "L", "email": f"w-{time.time_ns()}@x.org"}
        self._post("/v1/auth/web3/onboard", body, 200)

    def wallet_sign_in(self) -> None:
        assert self._wallet_validation()["isOnboarded"] is True

    def device_sign_in(self) -> None:
        issued = self._post(
            "/auth/v1/signin/challenge",
            {"challengeType": "deviceKey", "publicKey": self.device.public_key},
            200,
        )["challengeData"]
        body = {
            "challengeType": "deviceKey",
            "challengeData": issued,
            "deviceKey": {"signature": self.device.sign(issued)},
        }
        self._post("/auth/v1/signin/challenge/respond", body, 200)

    def operation_approved(self) -> None:
        device, account = self.approvers[next(self._turns)]
        user_id, access = account["account"]["id"], account["credentials"]["accessToken"]
        operation_id = f"bench-{next(self._operations)}-{time.time_ns()}"
        body = {"operationId": operation_id, "operationPayload": "Pay 25.00 EUR to Example Shop"}
        self._post(f"/v2/users/{user_id}/operations", body, 200, **{"X-Api-Key": self.api_key})
        auth = {"Authorization": f"Bearer {access}"}
        listed = _ok(self.http.get(self.url + "/device/v1/operations/pending", headers=auth, timeout=30), 200)
        shown = next(op for op in listed["operations"] if op["operationId"] == operation_id)
        digest = approval_digest("approve", shown)
        decision = {"publicKey": device.public_key, "signature": device.sign(digest), "authType": "biom"}
        self._post(f"/device/v1/operations/{shown['requestId']}/approve", decision, 200, **auth)


def _run(flow: Callable[[], None]) -> tuple[list[float], float]:
    """Latencies in ms, and the wall time in s, of up to FLOWS runs within SECONDS."""
    flow()  # a warm-up: each function's first request builds its services
    latencies: list[float] = []
    started = time.perf_counter()
    while len(latencies) < FLOWS and time.perf_counter() - started < SECONDS:
        begin = time.perf_counter()
        flow()
        latencies.append((time.perf_counter() - begin) * 1000)
    return latencies, time.perf_counter() - started


def main() -> None:
    gateway = start_gateway()
    try:
        flows = Flows(gateway)
        rows = []
        for name, flow, calls in (
            ("wallet sign-in (returning wallet)", flows.wallet_sign_in, 2),
            ("device sign-in", flows.device_sign_in, 2),
            ("operation created and approved", flows.operation_approved, 3),
        ):
            latencies, wall = _run(flow)
            rows.append(
                [
                    name,
                    calls,
                    len(latencies),
                    f"{len(latencies) / wall:.1f}",
                    f"{median(latencies):.0f}",
                    f"{percentile(latencies, 99):.0f}",
                ]
            )
    finally:
        gateway.stop()
    print(f"one client on loopback, flows one at a time, up to {FLOWS} per flow or {SECONDS:.0f} s")
    print_table(["flow", "HTTP calls", "flows", "flows/s", "p50 ms", "p99 ms"], rows)


if __name__ == "__main__":
    main()
