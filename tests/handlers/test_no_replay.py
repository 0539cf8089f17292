"""Endpoints that mint tokens answer every request afresh: the same request sent twice is refused the second
time and never gets the first answer's tokens back, and nothing caches responses (SECURITY.md 29)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TEMPLATE
from tests.handlers.devices import (
    Device,
    challenge,
    confirm_recovery,
    decide,
    finish_recovery,
    finish_two_factor,
    only_pending,
    recover,
    request_two_factor,
    respond,
    sign_up,
    signed_up,
)
from tests.handlers.wallets import (
    codes_sent_to,
    new_wallet,
    onboard,
    onboarded,
    refresh,
    request,
    sign,
    signed_validation,
    validate,
)

Answer = tuple[int, dict[str, str], Any]
EMAIL = "ada@example.com"


def tokens_in(body: Any) -> set[str]:
    """Every string an answer holds under a key that names a token (accessToken, refreshToken, token…)."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if "token" in key.lower() and isinstance(value, str):
                found.add(value)
            else:
                found |= tokens_in(value)
    elif isinstance(body, list):
        for value in body:
            found |= tokens_in(value)
    return found


# --- each arrangement returns one minting request, to be sent twice exactly as it is ----------------------


def device_sign_up(monkeypatch) -> Callable[[], Answer]:
    device = Device()
    return lambda: sign_up(device, EMAIL)


def device_sign_in(monkeypatch) -> Callable[[], Answer]:
    device = Device()
    signed_up(device, EMAIL)
    issued = challenge(device)[2]["challengeData"]
    signature = device.sign(issued)
    return lambda: respond(device, issued, signature)


def new_device_finish(monkeypatch) -> Callable[[], Answer]:
    phone, laptop = Device(), Device(name="laptop")
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    requested = request_two_factor(laptop, EMAIL)[2]
    assert decide(access, only_pending(access), phone)[0] == 200
    proof = laptop.sign(requested["challengeData"])
    return lambda: finish_two_factor(requested["twoFactorAuth"]["id"], proof)


def recovery_finish(monkeypatch) -> Callable[[], Answer]:
    replacement = Device(name="new phone")
    signed_up(Device(), EMAIL)
    recovery_id = recover(replacement, EMAIL)[2]["recoveryId"]
    code = codes_sent_to(EMAIL)[-1]
    confirmed = confirm_recovery(recovery_id, code, replacement.sign(recovery_id))[2]
    after_cooling_off = time.time() + 24 * 3600 + 1
    monkeypatch.setattr(time, "time", lambda: after_cooling_off)
    proof = replacement.sign(confirmed["challengeData"])
    return lambda: finish_recovery(recovery_id, proof)


def session_refresh(monkeypatch) -> Callable[[], Answer]:
    refresh_token = onboarded(new_wallet(), EMAIL)["refreshToken"]
    return lambda: refresh(refresh_token)


def wallet_validate(monkeypatch) -> Callable[[], Answer]:
    wallet = new_wallet()
    data = request(wallet.address)[2]["data"]
    signature = sign(wallet, data["message"])
    return lambda: validate(signature, data["tempToken"]["token"])


def wallet_onboard(monkeypatch) -> Callable[[], Answer]:
    step = signed_validation(new_wallet())[2]["data"]["tempToken"]["token"]
    return lambda: onboard(step, EMAIL)


MINTING = [
    device_sign_up,
    device_sign_in,
    new_device_finish,
    recovery_finish,
    session_refresh,
    wallet_validate,
    wallet_onboard,
]


@pytest.mark.parametrize("arrange", MINTING, ids=lambda arrange: arrange.__name__)
def test_the_same_minting_request_twice_is_refused_and_repeats_no_token(tables, monkeypatch, arrange):
    """SECURITY.md 29."""
    send = arrange(monkeypatch)

    first_status, _, first = send()
    second_status, _, second = send()

    assert 200 <= first_status < 300 and tokens_in(first), first
    assert 400 <= second_status < 500, second
    assert not tokens_in(first) & tokens_in(second)
    assert not any(token in json.dumps(second) for token in tokens_in(first))


def test_nothing_caches_responses():
    """SECURITY.md 29: no API Gateway cache, and no idempotency layer that stores and replays answers."""
    api = TEMPLATE["Resources"]["AssentApi"]["Properties"]
    sources = [
        path
        for folder in ("functions", "layers")
        for path in Path(ROOT, folder).rglob("*.py")
        if "idempotency" in path.read_text()
    ]

    assert not api.get("CacheClusterEnabled")
    assert not any(setting.get("CachingEnabled") for setting in api.get("MethodSettings", []))
    assert sources == []
