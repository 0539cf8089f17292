"""Endpoints that mint tokens answer every request afresh: the same request sent twice is refused the second
time and never gets the first answer's tokens back, and nothing caches responses (SECURITY.md 29)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TEMPLATE, Answer, Clock
from tests.handlers.hyphen import (
    Device,
    approved_new_device,
    challenge,
    finish_recovery,
    finish_two_factor,
    recovery_past_cooling_off,
    respond,
    sign_up,
    signed_up,
)
from tests.handlers.pakt import (
    new_wallet,
    onboard,
    onboarded,
    refresh,
    request,
    sign,
    signed_validation,
    validate,
)

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


def device_sign_up(clock: Clock) -> Callable[[], Answer]:
    device = Device()
    return lambda: sign_up(device, EMAIL)


def device_sign_in(clock: Clock) -> Callable[[], Answer]:
    device = Device()
    signed_up(device, EMAIL)
    issued = challenge(device).body["challengeData"]
    signature = device.sign(issued)
    return lambda: respond(device, issued, signature)


def new_device_finish(clock: Clock) -> Callable[[], Answer]:
    phone = Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    request_id, proof = approved_new_device(phone, Device(name="laptop"), EMAIL, access)
    return lambda: finish_two_factor(request_id, proof)


def recovery_finish(clock) -> Callable[[], Answer]:
    recovery_id, proof = recovery_past_cooling_off(EMAIL, clock)
    return lambda: finish_recovery(recovery_id, proof)


def session_refresh(clock: Clock) -> Callable[[], Answer]:
    refresh_token = onboarded(new_wallet(), EMAIL)["refreshToken"]
    return lambda: refresh(refresh_token)


def wallet_validate(clock: Clock) -> Callable[[], Answer]:
    wallet = new_wallet()
    data = request(wallet.address).body["data"]
    signature = sign(wallet, data["message"])
    return lambda: validate(signature, data["tempToken"]["token"])


def wallet_onboard(clock: Clock) -> Callable[[], Answer]:
    step = signed_validation(new_wallet()).body["data"]["tempToken"]["token"]
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
def test_the_same_minting_request_twice_is_refused_and_repeats_no_token(tables, clock, arrange):
    """SECURITY.md 29."""
    send = arrange(clock)

    first_status, _, first = send()
    second_status, _, second = send()

    assert 200 <= first_status < 300 and tokens_in(first), first
    assert 400 <= second_status < 500, second
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
