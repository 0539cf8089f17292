"""The capacity model's counts under load (docs/capacity.md): people signing up, signing in and approving an
operation over the local API, one after another, and the AWS calls the store answered for them.

One after another: run six at a time, about one sign-in answer in a hundred fails its signature check through
the local API (docs/local-and-testing.md, "A defect not yet found"); each request is still answered with the
calls counted here, but the flow stops."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from assent_tools.device import DeviceKey, approval_digest
from tests.e2e.conftest import ROOT, Gateway, signed_up, start_gateway

pytestmark = pytest.mark.e2e

PEOPLE = 24
# The rows of the model's table this flow goes through, and the store's name of each service's calls.
STEPS = [
    "signup (a device key)",
    "signin/challenge",
    "signin/challenge/respond",
    "keyless create",
    "device operations/pending",
    "approve",
    "events of a create (no webhook, no push token)",
    "events of an approval (no webhook)",
]
TARGETS = {"DynamoDB": "DynamoDB_20120810", "KMS": "TrentService", "SQS": "AmazonSQS"}
# A call as the table writes it: "GetItem", "GetItem" times 2 ("GetItem \N{MULTIPLICATION SIGN}2"), or
# "TransactWriteItems [4]" (its items).
_CALL = re.compile(r"(\w+)(?: \[\d+\])?(?: \N{MULTIPLICATION SIGN}(\d+))?")


def _modelled_calls() -> Counter[str]:
    """What docs/capacity.md says one person's flow calls, as the store names the calls."""
    table = (ROOT / "docs" / "capacity.md").read_text()
    expected: Counter[str] = Counter()
    for step in STEPS:
        [row] = [line for line in table.splitlines() if line.startswith(f"| {step} |")]
        _, dynamodb, kms, other = (cell.strip() for cell in row.split("|")[1:5])
        for service, cell in (("DynamoDB", dynamodb), ("KMS", kms)):
            for call in filter(None, (c.strip() for c in cell.split(","))):
                name, times = _CALL.fullmatch(call).groups()  # type: ignore[union-attr]
                expected[f"{TARGETS[service]}.{name}"] += int(times or 1)
        for call in filter(None, (c.strip() for c in other.split(","))):
            service, name = call.split()
            expected[f"{TARGETS[service]}.{name}"] += 1
    return expected


def _one_person(gateway: Gateway, n: int) -> int:
    """Sign up, sign in, have an operation created, see it and approve it; the approval's status."""
    device, run = DeviceKey(), uuid.uuid4().hex[:8]
    key = {"type": "deviceKey", "publicKey": device.public_key, "device": {"name": f"phone {n}"}}
    user_id = signed_up(gateway, key, f"load-{run}@example.com")["account"]["id"]
    asked = {"challengeType": "deviceKey", "publicKey": device.public_key}
    issued = requests.post(f"{gateway.url}/auth/v1/signin/challenge", json=asked, timeout=30).json()
    answer = {
        "challengeType": "deviceKey",
        "challengeData": issued["challengeData"],
        "deviceKey": {"signature": device.sign(issued["challengeData"])},
    }
    signed_in = requests.post(
        f"{gateway.url}/auth/v1/signin/challenge/respond", json=answer, timeout=30
    ).json()
    assert "credentials" in signed_in, signed_in
    bearer = {"Authorization": f"Bearer {signed_in['credentials']['accessToken']}"}
    operation = {"operationId": f"load-{run}", "operationPayload": f"Pay {n} EUR"}
    created = requests.post(
        f"{gateway.url}/v2/users/{user_id}/operations",
        json=operation,
        headers={"X-Api-Key": gateway.api_key},
        timeout=30,
    )
    assert created.status_code == 200, created.text
    [shown] = requests.get(f"{gateway.url}/device/v1/operations/pending", headers=bearer, timeout=30).json()[
        "operations"
    ]
    decision = {
        "publicKey": device.public_key,
        "signature": device.sign(approval_digest("approve", shown)),
        "authType": "biom",
    }
    approved = requests.post(
        f"{gateway.url}/device/v1/operations/{shown['requestId']}/approve",
        json=decision,
        headers=bearer,
        timeout=30,
    )
    return approved.status_code


def _settled_calls(gateway: Gateway) -> Counter[str]:
    """The calls the store has answered, once the event sources have handled every change (no new call for a
    second)."""
    seen = Counter(requests.get(f"{gateway.url}/_local/calls", timeout=10).json())
    for _ in range(30):
        time.sleep(1)
        now = Counter(requests.get(f"{gateway.url}/_local/calls", timeout=10).json())
        if now == seen:
            return now
        seen = now
    raise AssertionError("the local API's calls did not settle in 30 s")


@pytest.fixture(scope="module")
def own_gateway() -> Iterator[Gateway]:
    """A local API of its own: the session's shared one runs other tests' timers and events meanwhile."""
    running = start_gateway()
    yield running
    running.stop()


def test_people_at_once_make_exactly_the_calls_the_capacity_model_counts(own_gateway: Gateway):
    gateway = own_gateway
    before = _settled_calls(gateway)

    statuses = [_one_person(gateway, n) for n in range(PEOPLE)]
    made = _settled_calls(gateway) - before
    # Read once per container that checks access tokens: not per flow.
    public_key_reads = made.pop("TrentService.GetPublicKey", 0)

    assert statuses == [200] * PEOPLE
    assert made == Counter({call: count * PEOPLE for call, count in _modelled_calls().items()})
    assert public_key_reads <= 2  # the pending and approving functions' containers, once each at most
