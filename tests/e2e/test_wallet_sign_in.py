"""Wallet sign-in over the local gateway, driven by a real JavaScript client: ethers v6 in Node."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import jwt
import requests

from tests.e2e.conftest import Gateway

CLIENTS = Path(__file__).resolve().parent / "js"


def _ethers_sign_in(gateway: Gateway, email: str, private_key: str | None = None) -> dict[str, Any]:
    command = ["node", str(CLIENTS / "wallet_sign_in.mjs"), gateway.url + "/", email]
    if private_key:
        command.append(private_key)
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    answer: dict[str, Any] = json.loads(completed.stdout)
    return answer


def _code_sent_to(gateway: Gateway, email: str) -> str:
    mail = [
        m for m in requests.get(gateway.url + "/_local/outbox", timeout=10).json() if email in json.dumps(m)
    ]
    return re.search(r"\b(\d{6})\b", mail[-1]["body"]).group(1)  # type: ignore[union-attr]


def test_an_ethers_wallet_signs_in_onboards_verifies_and_returns(gateway: Gateway):
    email = f"ada-{time.time_ns()}@example.com"

    first = _ethers_sign_in(gateway, email)

    assert first["requested"]["status"] == 200
    assert first["validated"]["status"] == 202 and first["validated"]["body"]["data"]["isOnboarded"] is False
    assert first["onboarded"]["status"] == 200
    session = first["onboarded"]["body"]["data"]
    assert session["isVerified"] is False

    # The access token verifies against the published keys, with an ordinary JWT library.
    jwks = requests.get(gateway.url + "/.well-known/jwks.json", timeout=10).json()
    token = session["tempToken"]["token"]
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key=key, algorithms=["ES256"], audience="assent", issuer="assent")
    assert claims["typ"] == "access"

    verified = requests.post(
        gateway.url + "/v1/auth/account/verify",
        json={"tempToken": token, "token": _code_sent_to(gateway, email)},
        timeout=10,
    )
    assert verified.status_code == 200 and verified.json()["data"]["isVerified"] is True

    refreshed = requests.post(
        gateway.url + "/auth/v1/refresh", json={"refreshToken": session["refreshToken"]}, timeout=10
    )
    assert refreshed.status_code == 200 and set(refreshed.json()["credentials"]) == {
        "accessToken",
        "refreshToken",
    }

    again = _ethers_sign_in(gateway, email, first["privateKey"])

    assert again["validated"]["status"] == 202
    returning = again["validated"]["body"]["data"]
    assert returning["isOnboarded"] is True and returning["isVerified"] is True
    assert returning["account"] == first["address"] and again["onboarded"] is None


def test_a_replayed_ethers_signature_is_refused_over_http(gateway: Gateway):
    """SECURITY.md 3."""
    first = _ethers_sign_in(gateway, f"replay-{time.time_ns()}@example.com")
    assert first["validated"]["status"] == 202

    # Same request token, and a signature of the same message: the challenge is gone.
    requested = first["requested"]["body"]["data"]
    command = [
        "node",
        "--input-type=module",
        "-e",
        "import {Wallet} from 'ethers';"
        "const [key, message] = process.argv.slice(1);"
        "console.log(await new Wallet(key).signMessage(message));",
        first["privateKey"],
        requested["message"],
    ]
    signature = subprocess.run(
        command, capture_output=True, text=True, cwd=CLIENTS, timeout=60, check=True
    ).stdout.strip()
    replay = requests.post(
        gateway.url + "/v1/auth/web3/validate",
        json={"signedMessage": signature, "tempToken": requested["tempToken"]["token"]},
        timeout=10,
    )

    assert replay.status_code == 401 and replay.json()["status"] == "error"
