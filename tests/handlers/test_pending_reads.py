"""The device's pending list, and a client's, read only live items (SECURITY.md 38): a user's expired
operations, waiting for TTL deletion, are not read past on every poll."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assent_tools.aws_calls import hooked
from tests.conftest import Clock, another_client_key
from tests.handlers.hyphen import Device, pending, sign_in, signed_up
from tests.handlers.keyless import create
from tests.handlers.keyless import pending as client_pending

EXPIRED = 300


@contextmanager
def items_read() -> Iterator[list[int]]:
    """The items each DynamoDB query of the layer read (its ScannedCount), while the block runs."""
    counts: list[int] = []

    def count(model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name == "Query":
            counts.append(int(parsed.get("ScannedCount", 0)))

    with hooked("after-call", count, "dynamodb"):
        yield counts


def test_a_poll_reads_none_of_300_expired_operations(tables, api_key, clock: Clock):
    """SECURITY.md 38, the reported attack replayed: a client within its limits leaves a user 300 expired
    operations; each poll of the user's device read them all (the list timed out, so the user could not deny
    a recovery). Now it reads only the one still live."""
    phone = Device()
    user_id = signed_up(phone, "ada@example.com")["account"]["id"]
    clients = [api_key, another_client_key()]
    for n in range(EXPIRED):
        assert create(clients[n % 2], {"operationId": f"op-{n}"}, user=user_id).status == 200
        if n % 10 == 9:
            clock.advance(60)  # the user's limit is 10 a minute
    clock.advance(601)  # every one of them expired
    assert create(api_key, {"operationId": "live"}, user=user_id).status == 200
    access = sign_in(phone).body["credentials"]["accessToken"]  # the first one's 15 minutes are over

    with items_read() as device_poll:
        listed = pending(access).body["operations"]
    with items_read() as client_poll:
        clients_list = client_pending(api_key, user=user_id)

    assert [op["operationId"] for op in listed] == ["live"]
    assert sum(device_poll) == 1 and sum(client_poll) == 1
    assert [op["operationId"] for op in clients_list.body] == ["live"]
