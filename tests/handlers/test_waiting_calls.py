"""A client's calls that wait for decisions are capped (SECURITY.md 38): each holds one of the client's
slots while it waits; one more is refused with 429 before it creates anything; slots free themselves when a
call ends, or when the lease of a call that died holding one runs out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TEMPLATE, Answer, Clock, another_client_key
from tests.handlers.hyphen import Device, signed_up
from tests.handlers.keyless import stored
from tests.handlers.unloq import PAYMENT, authorize, defined, get_approval, pay

EMAIL = "ada@example.com"
SLOTS = int(TEMPLATE["Parameters"]["WaitingCallsPerClient"]["Default"])


@pytest.fixture
def request_id(api_key) -> str:
    """A pending authorisation request for Ada, made without waiting."""
    signed_up(Device(), EMAIL)
    defined(api_key, PAYMENT)
    status, _, answer = authorize(api_key, "demo-code", pay(EMAIL, wait=0, timeout=300))
    assert status == 202, answer
    return str(answer["result"]["id"])


def _nested_waits(clock: Clock, count: int, call: Any) -> list[Answer]:
    """`count` calls, each made while all the earlier ones are still waiting (the clock's waits are where a
    service waits, so each call starts inside the previous one's wait); their answers, innermost first."""
    answers: list[Answer] = []
    started = 0

    def start_another(_: float) -> None:
        nonlocal started
        if started < count:
            started += 1
            answers.append(call(started))

    clock.while_waiting = start_another
    start_another(0)
    clock.while_waiting = None
    return answers


def test_one_waiting_call_more_than_the_cap_is_429_and_creates_nothing(tables, api_key, request_id, clock):
    """SECURITY.md 38: ten reads wait at once; an authorize that would wait too is refused, and no request is
    made for it; one that does not wait is made."""
    operations_before = len(stored(tables))

    def call(number: int) -> Answer:
        if number <= SLOTS:
            return get_approval(api_key, request_id, wait=5)
        return authorize(api_key, "demo-code", pay(EMAIL, wait=5, reference="one too many"))

    answers = _nested_waits(clock, SLOTS + 1, call)
    refused, *waited = answers

    assert (refused.status, refused.error) == (429, "FIREWALL.THROTTLE")
    assert "waiting" in refused.body["error"]["message"]
    assert [a.status for a in waited] == [202] * SLOTS
    assert len(stored(tables)) == operations_before
    assert authorize(api_key, "demo-code", pay(EMAIL, wait=0, reference="no wait")).status == 202


def test_slots_are_free_again_once_the_calls_end(tables, api_key, request_id, clock):
    """SECURITY.md 38: the cap is on calls waiting at once, not on calls made."""
    answers = [get_approval(api_key, request_id, wait=1) for _ in range(3 * SLOTS)]

    assert {a.status for a in answers} == {202}


def test_the_cap_is_per_client(tables, api_key, request_id, clock):
    """SECURITY.md 38, 39: a client that fills its slots does not take another client's."""
    other = another_client_key()
    defined(other, PAYMENT)

    def call(number: int) -> Answer:
        if number <= SLOTS:
            return get_approval(api_key, request_id, wait=5)
        return authorize(other, "demo-code", pay(EMAIL, wait=1, reference="other client"))

    answers = _nested_waits(clock, SLOTS + 1, call)

    assert answers[0].status == 202, answers[0].body  # the other client's call waited, and was answered


def test_a_slot_held_by_a_call_that_died_frees_itself_when_its_lease_ends(tables, api_key, request_id, clock):
    """SECURITY.md 38: a function killed while waiting never lets go; its lease (its wait and 5 s) does."""
    from assent import wiring

    client = wiring.clients_service().authenticate(api_key)
    # As calls that took their slots and then died: held open (kept from the garbage collector, which would
    # end them and let go), never closed.
    died = [wiring.waiting_calls().slot(client.client_id, seconds=20) for _ in range(SLOTS)]
    for slot in died:
        slot.__enter__()

    while_held = get_approval(api_key, request_id, wait=1)
    clock.advance(26)
    after_the_leases = get_approval(api_key, request_id, wait=1)

    assert (while_held.status, while_held.error) == (429, "FIREWALL.THROTTLE")
    assert after_the_leases.status == 202, after_the_leases.body
