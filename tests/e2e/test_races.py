"""Races over the local gateway (its store serialises requests as DynamoDB's conditional writes do)."""

from __future__ import annotations

import time

import requests

from tests.e2e.conftest import TRIALS, Gateway, race, signed_up
from tests.handlers.hyphen import Device

CONTENDERS = 8


def refresh(gateway: Gateway, token: str) -> requests.Response:
    return requests.post(gateway.url + "/auth/v1/refresh", json={"refreshToken": token}, timeout=30)


def test_simultaneous_uses_of_one_refresh_token_rotate_it_once_and_end_the_family(gateway: Gateway):
    """SECURITY.md 24: of N simultaneous uses of one refresh token exactly one gets a new pair; the others
    are reuse of a rotated token, which revokes the family, so the winner's new token is refused too."""
    for _ in range(TRIALS):
        answer = signed_up(gateway, Device().user_key(), f"refresh-race-{time.time_ns()}@example.com")
        token = answer["credentials"]["refreshToken"]
        answers: list[requests.Response] = []

        def use(token: str = token, answers: list[requests.Response] = answers) -> int:
            answer = refresh(gateway, token)
            answers.append(answer)
            return answer.status_code

        statuses = race(CONTENDERS, use)

        assert sorted(statuses) == [200] + [401] * (CONTENDERS - 1)
        winner = next(a for a in answers if a.status_code == 200).json()["credentials"]
        assert refresh(gateway, winner["refreshToken"]).status_code == 401
