"""Hyphen's device flow over the local gateway, driven by a real JavaScript client: WebCrypto P-256."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Gateway

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
