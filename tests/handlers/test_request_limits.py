"""Approval requests are rate-limited per user and per client, across Keyless and UNLOQ (SECURITY.md 18)."""

from __future__ import annotations

import pytest

from tests.conftest import another_client_key
from tests.handlers.hyphen import Device, signed_up
from tests.handlers.keyless import create, stored
from tests.handlers.unloq import PAYMENT, authorize, defined, pay

PER_USER = 10  # the template's default ApprovalRequestsPerUserPerMinute
PER_CLIENT_USER = 5  # and ApprovalRequestsPerClientUserPerMinute


@pytest.fixture
def user_id(api_key) -> str:
    return str(signed_up(Device(), "ada@example.com")["account"]["id"])


def test_a_user_receives_at_most_the_limit_per_minute_from_all_clients_together(api_key, user_id, tables):
    """SECURITY.md 18: push-bombing one user through several clients and both APIs meets one limit."""
    defined(api_key, PAYMENT)
    other = another_client_key()
    for n in range(PER_USER // 2):
        assert authorize(api_key, "demo-code", pay("ada@example.com")).status == 202
        assert create(other, {"operationId": f"op-{n}"}, user=user_id).status == 200

    unloq_status, _, unloq = authorize(api_key, "demo-code", pay("ada@example.com"))
    keyless_status, _, keyless = create(other, {"operationId": "one-more"}, user=user_id)

    assert (unloq_status, unloq["error"]["code"], unloq["error"]["status"]) == (429, "FIREWALL.THROTTLE", 429)
    assert (keyless_status, keyless["success"], keyless["code"]) == (429, False, "TOO_MANY_REQUESTS")
    assert len(stored(tables)) == PER_USER


def test_the_limit_is_per_minute(api_key, user_id, clock):
    """The clock stands at a minute's first second (the `clock` fixture): counters are per fixed minute."""
    other = another_client_key()
    for n in range(PER_USER):
        client = api_key if n % 2 else other
        assert create(client, {"operationId": f"op-{n}"}, user=user_id).status == 200
    assert create(api_key, {"operationId": "refused"}, user=user_id).status == 429

    clock.advance(60)

    assert create(api_key, {"operationId": "next-minute"}, user=user_id).status == 200


def test_a_refused_request_counts_nothing(api_key, tables):
    """The counters are taken in the transaction that stores the request: a duplicate operationId (409)
    leaves the allowances as they were."""
    assert create(api_key, {"operationId": "dup"}).status == 200
    for _ in range(PER_USER):
        assert create(api_key, {"operationId": "dup"}).status == 409

    accepted = [create(api_key, {"operationId": f"op-{n}"}).status for n in range(PER_CLIENT_USER)]

    assert accepted == [200] * (PER_CLIENT_USER - 1) + [429]
    assert len(stored(tables)) == PER_CLIENT_USER


def test_one_client_cannot_spend_a_users_whole_allowance(api_key, user_id, tables):
    """SECURITY.md 39: a client reaches its own limit for a user (5 a minute) well before the user's (10),
    so the user's other clients are still heard."""
    other = another_client_key()

    flood = [create(api_key, {"operationId": f"flood-{n}"}, user=user_id) for n in range(PER_USER)]
    others = [
        create(other, {"operationId": f"other-{n}"}, user=user_id).status for n in range(PER_CLIENT_USER)
    ]

    assert [a.status for a in flood] == [200] * PER_CLIENT_USER + [429] * (PER_USER - PER_CLIENT_USER)
    assert {a.body["code"] for a in flood[PER_CLIENT_USER:]} == {"TOO_MANY_REQUESTS"}
    assert others == [200] * PER_CLIENT_USER


def test_lookups_that_find_no_one_count_against_the_clients_allowance(api_key, tables, monkeypatch):
    """SECURITY.md 39: a client trying addresses meets its own per-minute limit, found or not."""
    from assent import wiring

    monkeypatch.setenv("ASSENT_REQUESTS_PER_CLIENT_PER_MINUTE", "3")
    wiring.reset()
    defined(api_key, PAYMENT)

    tries = [authorize(api_key, "demo-code", pay(f"nobody-{n}@example.com")) for n in range(4)]

    assert [t.status for t in tries] == [404, 404, 404, 429]
    assert tries[-1].error == "FIREWALL.THROTTLE"


def test_a_client_makes_at_most_its_limit_per_minute_to_all_users(api_key, tables, monkeypatch):
    from assent import wiring

    monkeypatch.setenv("ASSENT_REQUESTS_PER_CLIENT_PER_MINUTE", "3")
    wiring.reset()
    statuses = [create(api_key, {"operationId": f"o-{n}"}, user=f"0A0A0A{n:02X}").status for n in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert create(another_client_key(), {"operationId": "o"}, user="0B0B0B0B").status == 200
