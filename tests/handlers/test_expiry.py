"""Every table of template.yaml whose items have a time, walked: an item past its time but still in the table
is refused, through the endpoint that reads it (SECURITY.md 4).

DynamoDB's TTL deletes days late and moto never does, so each case stores an item through the API, moves
every time the item carries (`expires_at`, `idle_expires_at`, `ttl`) into the past, leaves it in the table,
and shows that the same request that succeeds on the fresh item is refused on the aged one. A rate-limit
counter has no deadline of its own (its window is in its key), so that case moves the clock instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import TEMPLATE, Answer, Clock, another_client_key
from tests.handlers.hyphen import (
    Device,
    approved_new_device,
    challenge,
    confirm_recovery,
    decide,
    finish_recovery,
    finish_two_factor,
    only_pending,
    recover,
    recovery_past_cooling_off,
    respond,
    signed_up,
)
from tests.handlers.keyless import create
from tests.handlers.metasky import as_uuid, init, verify
from tests.handlers.pakt import (
    codes_sent_to,
    new_wallet,
    onboard,
    onboarded,
    refresh,
    request,
    sign,
    signed_validation,
    validate,
    verify_account,
)

# The status and the family's error code of an answer (None for a success).
Outcome = tuple[int, str | None]
Probe = Callable[[], Outcome]
EMAIL = "ada@example.com"
_TIMES = ("expires_at", "idle_expires_at", "ttl")

# Tables whose items are records, not proofs or requests: nothing in them has a time to pass.
PERMANENT = {
    "ClientsTable": "client API keys, valid until revoked",
    "ActionsTable": "a client's UNLOQ action definitions",
    "UsersTable": "users, their keys and e-mail addresses",
}
# Tables whose TTL only ends a retention: no request is refused or granted by the time of their items.
RETENTION_ONLY = {
    "WebhooksTable": "delivery logs (kept 30 days), push marks (2 days: longer than a stream keeps a change)",
}


def _hyphen(answer: Answer) -> Outcome:
    status, _, body = answer
    return status, body.get("error") if status >= 400 else None


def _pakt(answer: Answer) -> Outcome:
    status, _, body = answer
    return status, body["data"].get("code") if status >= 400 and body.get("data") else None


def _metasky(answer: Answer) -> Outcome:
    status, _, body = answer
    return status, body["data"]["code"] if status >= 400 else None


def _keyless(answer: Answer) -> Outcome:
    status, _, body = answer
    return status, body.get("code") if status >= 400 else None


# --- one arrangement per kind of item: store it through the API, return the request that reads it ---------


def wallet_challenge(api_key: str, clock: Clock) -> Probe:
    wallet = new_wallet()
    data = request(wallet.address).body["data"]
    return lambda: _pakt(validate(sign(wallet, data["message"]), data["tempToken"]["token"]))


def onboarding_step(api_key: str, clock: Clock) -> Probe:
    step = signed_validation(new_wallet()).body["data"]["tempToken"]["token"]
    return lambda: _pakt(onboard(step, EMAIL))


def emailed_code(api_key: str, clock: Clock) -> Probe:
    access = onboarded(new_wallet(), EMAIL)["tempToken"]["token"]
    code = codes_sent_to(EMAIL)[-1]
    return lambda: _pakt(verify_account(access, code))


def refresh_family(api_key: str, clock: Clock) -> Probe:
    refresh_token = onboarded(new_wallet(), EMAIL)["refreshToken"]
    return lambda: _hyphen(refresh(refresh_token))


def device_challenge(api_key: str, clock: Clock) -> Probe:
    device = Device()
    signed_up(device, EMAIL)
    issued = challenge(device).body["challengeData"]
    return lambda: _hyphen(respond(device, issued))


def pending_operation(api_key: str, clock: Clock) -> Probe:
    phone = Device()
    account = signed_up(phone, EMAIL)
    access = account["credentials"]["accessToken"]
    assert create(api_key, {"operationId": "order-1"}, user=account["account"]["id"]).status == 200
    shown = only_pending(access)
    return lambda: _hyphen(decide(access, shown, phone))


def new_device_key(api_key: str, clock: Clock) -> Probe:
    """The laptop's key, stored while the phone approves it, then registered by the laptop's signature."""
    phone = Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    request_id, proof = approved_new_device(phone, Device(name="laptop"), EMAIL, access)
    return lambda: _hyphen(finish_two_factor(request_id, proof))


def recovery_code(api_key: str, clock: Clock) -> Probe:
    replacement = Device(name="new phone")
    signed_up(Device(), EMAIL)
    recovery_id = recover(replacement, EMAIL).body["recoveryId"]
    code = codes_sent_to(EMAIL)[-1]
    return lambda: _hyphen(confirm_recovery(recovery_id, code, replacement.sign(recovery_id)))


def recovered_key(api_key: str, clock) -> Probe:
    """The new key a recovery stored, registered once the cooling-off has passed."""
    recovery_id, proof = recovery_past_cooling_off(EMAIL, clock)
    return lambda: _hyphen(finish_recovery(recovery_id, proof))


def secure_action(api_key: str, clock: Clock) -> Probe:
    user_uuid = as_uuid(signed_up(Device(), EMAIL)["account"]["id"])
    action = init(api_key, user_uuid).body["data"]["secure_action_uuid"]
    code = codes_sent_to(EMAIL)[-1]
    return lambda: _metasky(verify(api_key, user_uuid, action, code))


def full_request_window(api_key: str, clock) -> Probe:
    """A user's approval requests at the limit for this minute: the next is refused until the minute ends."""
    # The clock stands at a minute's first second (the `clock` fixture), so the minute cannot end midway.
    user_id = signed_up(Device(), EMAIL)["account"]["id"]
    other = another_client_key()  # one client may send a user only 5 a minute
    for n in range(10):  # the template's default ApprovalRequestsPerUserPerMinute
        client = api_key if n % 2 else other
        assert create(client, {"operationId": f"op-{n}"}, user=user_id).status == 200
    return lambda: _keyless(create(api_key, {"operationId": "one-more"}, user=user_id))


# --- the walk ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expiring:
    """A kind of item with a time: where it is stored, how to make and read it, and what a read gives
    while it is fresh and once it is past its time."""

    table: str
    prefix: str  # the partition keys of this kind of item
    arrange: Callable[[str, Clock], Probe]
    fresh: Outcome
    aged: Outcome
    clock_seconds: int = 0  # age by moving the clock this far, when the item has no deadline of its own

    def __str__(self) -> str:
        return f"{self.table}:{self.prefix}"


CASES = [
    Expiring("ChallengesTable", "siwe#", wallet_challenge, (202, None), (401, "SIGN_IN_FAILED")),
    Expiring("ChallengesTable", "email-verification#", emailed_code, (200, None), (400, "INVALID_CODE")),
    Expiring("ChallengesTable", "signin#", device_challenge, (200, None), (401, "SIGN_IN_FAILED")),
    Expiring("ChallengesTable", "2fa#", new_device_key, (200, None), (410, "TWO_FACTOR_EXPIRED")),
    Expiring("ChallengesTable", "recover#", recovery_code, (202, None), (400, "INVALID_CODE")),
    Expiring("ChallengesTable", "recovery#", recovered_key, (200, None), (404, "OPERATION_NOT_FOUND")),
    Expiring("TempTokensTable", "step#", onboarding_step, (200, None), (401, "INVALID_TOKEN")),
    Expiring("SessionsTable", "family#", refresh_family, (200, None), (401, "INVALID_REFRESH_TOKEN")),
    Expiring("OperationsTable", "", pending_operation, (200, None), (404, "OPERATION_NOT_FOUND")),
    Expiring("SecureActionsTable", "", secure_action, (200, None), (410, "SECURE_ACTION_EXPIRED")),
    Expiring(
        "RateLimitsTable",
        "requests#user#",
        full_request_window,
        (429, "TOO_MANY_REQUESTS"),
        (200, None),
        clock_seconds=60,
    ),
]


def _items(tables: dict[str, Any], case: Expiring) -> list[dict[str, Any]]:
    items = tables[case.table].scan(ConsistentRead=True)["Items"]
    return [item for item in items if item["pk"].startswith(case.prefix)]


def _age(tables: dict[str, Any], case: Expiring, clock) -> list[str]:
    """Put every time of the case's items one second in the past (or move the clock); their keys."""
    items = _items(tables, case)
    assert items, f"the arrangement stored no {case} item"
    if case.clock_seconds:
        clock.advance(case.clock_seconds)
    else:
        past = int(clock()) - 1
        for item in items:
            times = [name for name in _TIMES if name in item]
            tables[case.table].update_item(
                Key={"pk": item["pk"]},
                UpdateExpression="SET " + ", ".join(f"#{name} = :past" for name in times),
                ExpressionAttributeNames={f"#{name}": name for name in times},
                ExpressionAttributeValues={":past": past},
            )
    return sorted(item["pk"] for item in items)


def test_every_table_with_a_ttl_has_its_items_walked_and_every_other_is_permanent():
    """A new table must either be walked here or be named as holding nothing with a time."""
    tables = {
        name: resource["Properties"]
        for name, resource in TEMPLATE["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }
    with_ttl = {name for name, properties in tables.items() if "TimeToLiveSpecification" in properties}

    assert {case.table for case in CASES} | set(RETENTION_ONLY) == with_ttl
    assert set(tables) - with_ttl == set(PERMANENT)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_fresh_item_is_accepted(tables, api_key, clock, case):
    """The control: the same request, on the item while it is in time."""
    probe = case.arrange(api_key, clock)

    assert probe() == case.fresh


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_item_past_its_time_is_refused_though_still_in_the_table(tables, api_key, clock, case):
    """SECURITY.md 4."""
    probe = case.arrange(api_key, clock)
    aged = _age(tables, case, clock)

    assert probe() == case.aged
    assert set(aged) <= {item["pk"] for item in _items(tables, case)}  # refused, not deleted
