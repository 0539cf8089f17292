"""The operation lifecycle and the refresh-token family as hypothesis state machines, with the clock in the
test's hands, so that expiry, reuse and terminal states are explored rather than sampled.

Each machine keeps its own model of what the API must answer, written from the rules (SECURITY.md, the
README), never from the layer's code, and drives the real handlers under moto. Clock steps include jumps to
one second before, at or after the next deadline the model knows of. Every example starts at a
minute's first second, on empty tables, with a new user (and client), so examples share nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from tests.conftest import Clock, empty_tables, start_of_minute
from tests.handlers.hyphen import (
    Device,
    approval_digest,
    decide,
    keys,
    pending,
    sign_in,
    signed_up,
)
from tests.handlers.keyless import create, get
from tests.handlers.pakt import refresh

# The template's defaults, which the tests run with.
OPERATION_LIFETIME = 600
RETENTION = 30 * 86_400
ACCESS_TOKEN_SECONDS = 900
CLOCK_LEEWAY = 5  # tolerated disagreement between machines' clocks, on access tokens only
REFRESH_IDLE = 7 * 86_400
SESSION_LIFETIME = 30 * 86_400

EXAMPLES = int(os.environ.get("ASSENT_STATEFUL_EXAMPLES", "20"))
RUN = settings(
    max_examples=EXAMPLES,
    stateful_step_count=30,
    deadline=None,
    # The same examples on every run, as CI needs; raise ASSENT_STATEFUL_EXAMPLES to explore further.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Three ids: creates collide, and ids come back once their retention ends. At most three creates fall in a
# minute, below the per-user limit, which test_request_limits.py shows.
OPERATION_IDS = st.sampled_from(["order-1", "order-2", "order-3"])


class ClockedMachine(RuleBasedStateMachine):
    """A machine that owns the clock every service is built with, from a minute's first second."""

    def __init__(self) -> None:
        super().__init__()
        from assent import wiring

        # Each example on empty tables: moto's index queries read every item, so leftovers would slow
        # every later example.
        empty_tables()
        self.clock = Clock(start_of_minute())
        wiring.use_time(self.clock, self.clock.sleep)

    def teardown(self) -> None:
        from assent import wiring

        wiring.use_time()

    @property
    def now(self) -> float:
        return self.clock.now

    @now.setter
    def now(self, moment: float) -> None:
        self.clock.now = moment

    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)


@dataclass
class ModelOperation:
    """What a client's operation must be, as the machine has seen it created and decided."""

    payload: str
    expires_at: int
    retain_until: int
    shown: dict[str, Any]  # as the user's device listed it
    state: str = "pending"

    def state_at(self, now: float) -> str:
        return "expired" if self.state == "pending" and now >= self.expires_at else self.state


class OperationLifecycle(ClockedMachine):
    """A client creates operations for one user, whose phone approves or denies them, while time passes."""

    def __init__(self) -> None:
        super().__init__()
        from assent import wiring

        self.api_key = wiring.clients_service().create("state machine").api_key
        self.phone = Device()
        account = signed_up(self.phone, f"ops-{time.time_ns()}@example.com")
        self.user_id = account["account"]["id"]
        self.access, self.signed_in_at = account["credentials"]["accessToken"], self.now
        self.operations: dict[str, ModelOperation] = {}
        self.payloads = 0

    def _access_token(self) -> str:
        # Sign in again well before the access token runs out: this machine is about operations.
        if self.now >= self.signed_in_at + ACCESS_TOKEN_SECONDS // 2:
            status, _, body = sign_in(self.phone)
            assert status == 200, body
            self.access, self.signed_in_at = body["credentials"]["accessToken"], self.now
        return self.access

    def _listed(self) -> dict[str, dict[str, Any]]:
        status, _, body = pending(self._access_token())
        assert status == 200, body
        return {operation["requestId"].partition(".")[2]: operation for operation in body["operations"]}

    def _retained(self, operation_id: str) -> ModelOperation | None:
        operation = self.operations.get(operation_id)
        return operation if operation is not None and self.now < operation.retain_until else None

    @initialize(operation_id=OPERATION_IDS)
    def first_create(self, operation_id: str) -> None:
        self.create(operation_id)

    @rule(operation_id=OPERATION_IDS)
    def create(self, operation_id: str) -> None:
        """An operation id is taken until its retention ends, whatever became of the operation."""
        self.payloads += 1
        payload = f"Pay {self.payloads} EUR"
        answer = create(
            self.api_key, {"operationId": operation_id, "operationPayload": payload}, self.user_id
        )
        outcome = (answer.status, answer.body.get("code"))
        event(f"create: {outcome}")

        if self._retained(operation_id) is not None:
            assert outcome == (409, "OPERATION_EXISTS"), answer
        else:
            if operation_id in self.operations:
                event("create: an id past its retention is taken again")
            assert answer[:1] == (200,) and answer.body == {"success": True}, answer
            expires_at = int(self.now) + OPERATION_LIFETIME
            shown = self._listed()[operation_id]
            assert shown["payload"] == payload
            self.operations[operation_id] = ModelOperation(payload, expires_at, expires_at + RETENTION, shown)

    def _expected_decision(self, operation: ModelOperation | None) -> tuple[int, str | None]:
        if operation is None:
            return 404, "OPERATION_NOT_FOUND"
        if operation.state_at(self.now) != "pending":
            return 409, "OPERATION_NOT_PENDING"
        return 200, None

    @rule(data=st.data(), decision=st.sampled_from(["approve", "deny"]))
    def decide(self, data: st.DataObject, decision: str) -> None:
        """SECURITY.md 14: only a pending operation in time is decided, once; terminal states never change."""
        operation_id = data.draw(st.sampled_from(sorted(self.operations)))
        operation = self._retained(operation_id)
        expected = self._expected_decision(operation)

        answer = decide(self._access_token(), self.operations[operation_id].shown, self.phone, decision)
        event(f"{decision}: {expected}")

        assert (answer.status, answer.body.get("error")) == expected, answer
        if operation is not None and expected[0] == 200:
            operation.state = "approved" if decision == "approve" else "denied"

    @rule(data=st.data())
    def approve_with_a_deny_signature(self, data: st.DataObject) -> None:
        """SECURITY.md 15: a signature covers its decision; a refused decision changes nothing."""
        operation_id = data.draw(st.sampled_from(sorted(self.operations)))
        operation = self._retained(operation_id)
        expected = self._expected_decision(operation)
        if expected[0] == 200:
            expected = (403, "APPROVAL_REFUSED")
        shown = self.operations[operation_id].shown
        signature = self.phone.sign(approval_digest("deny", shown))

        answer = decide(self._access_token(), shown, self.phone, "approve", signature=signature)
        event(f"approve with a deny signature: {expected}")

        assert (answer.status, answer.body.get("error")) == expected, answer

    @invariant()
    def the_client_reads_every_state_as_modelled(self) -> None:
        """SECURITY.md 4: a pending operation past its deadline reads as expired; past retention, as gone.
        Checked after every step, so that each instant a deadline jump lands on is read."""
        for operation_id in sorted(self.operations):
            operation = self._retained(operation_id)

            status, _, body = get(self.api_key, operation_id)

            if operation is None:
                assert (status, body.get("code")) == (404, "OPERATION_NOT_FOUND"), body
            else:
                assert status == 200 and body["state"] == operation.state_at(self.now), body
                assert body["operationPayload"] == operation.payload
                assert body["result"] is (operation.state == "approved")

    @rule()
    def user_lists_what_waits(self) -> None:
        expected = {
            operation_id
            for operation_id, operation in self.operations.items()
            if self.now < operation.retain_until and operation.state_at(self.now) == "pending"
        }

        assert set(self._listed()) == expected

    @rule(seconds=st.sampled_from([1, 30, 59, 60, 599, 600, 601, 3600, 86_400, RETENTION]))
    def time_passes(self, seconds: int) -> None:
        self.advance(seconds)

    @rule(offset=st.sampled_from([-1, 0, 1]))
    def time_reaches_the_next_deadline(self, offset: int) -> None:
        """To one second before, at or after the next operation deadline or end of retention (the nearest,
        so that the instants around each are reached often, and later ones by jumping again)."""
        deadlines = {d for o in self.operations.values() for d in (o.expires_at, o.retain_until)}
        future = [d + offset for d in deadlines if d + offset > self.now]
        if future:
            self.now = float(min(future))


@dataclass
class ModelFamily:
    """A refresh-token family: its deadlines, its one current token, and whether reuse revoked it."""

    expires_at: int
    idle_expires_at: int
    current: str
    revoked: bool = False

    def live_at(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at and now < self.idle_expires_at

    @property
    def pk(self) -> str:
        return "family#" + self.current.removeprefix("rt_").partition(".")[0]


@dataclass(frozen=True)
class RefreshToken:
    family: ModelFamily = field(compare=False)
    token: str


@dataclass(frozen=True)
class AccessToken:
    token: str
    issued_at: int
    family: ModelFamily  # the session it was issued for


class RefreshFamilies(ClockedMachine):
    """One user signs in on one device several times and refreshes, replays and waits."""

    refresh_tokens = Bundle("refresh_tokens")

    def __init__(self) -> None:
        super().__init__()
        from assent.core import config

        self.sessions = boto3.resource("dynamodb").Table(config.settings().sessions_table)
        self.device = Device()
        signed_up(self.device, f"families-{time.time_ns()}@example.com")
        self.families: list[ModelFamily] = []
        self.access_tokens: list[AccessToken] = []

    @initialize(target=refresh_tokens)
    def first_sign_in(self) -> RefreshToken:
        return self.sign_in()

    @precondition(lambda self: len(self.families) < 3)
    @rule(target=refresh_tokens)
    def sign_in(self) -> RefreshToken:
        """Each sign-in begins a family of its own."""
        status, _, body = sign_in(self.device)
        assert status == 200, body
        now = int(self.now)
        family = ModelFamily(now + SESSION_LIFETIME, now + REFRESH_IDLE, body["credentials"]["refreshToken"])
        self.families.append(family)
        self.access_tokens.append(AccessToken(body["credentials"]["accessToken"], now, family))
        return RefreshToken(family, family.current)

    @rule(target=refresh_tokens, presented=refresh_tokens)
    def refresh(self, presented: RefreshToken) -> Any:
        """SECURITY.md 24: rotated on every use; reuse of a rotated token revokes its family (and no other);
        a family ends at its idle or absolute deadline, checked on read (SECURITY.md 4)."""
        family = presented.family
        status, _, body = refresh(presented.token)
        event(f"refresh: {status}, {'current' if presented.token == family.current else 'rotated'} token")

        if family.live_at(self.now) and presented.token == family.current:
            assert status == 200, body
            family.current = body["credentials"]["refreshToken"]
            family.idle_expires_at = int(self.now) + REFRESH_IDLE
            self.access_tokens.append(AccessToken(body["credentials"]["accessToken"], int(self.now), family))
            return RefreshToken(family, family.current)
        assert (status, body.get("error")) == (401, "INVALID_REFRESH_TOKEN"), body
        if family.live_at(self.now):
            family.revoked = True  # a rotated token came back
            event("refresh: reuse revoked a family")
        return multiple()

    @rule(data=st.data())
    def use_an_access_token(self, data: st.DataObject) -> None:
        """SECURITY.md 24 and 33: an access token lives at most 15 minutes, and a user route refuses it as
        soon as its family has ended (revoked by a reuse, or past a deadline)."""
        access = data.draw(st.sampled_from(self.access_tokens))
        status, _, body = keys(access.token)
        event(f"access token: {status}")

        within_its_minutes = self.now < access.issued_at + ACCESS_TOKEN_SECONDS + CLOCK_LEEWAY
        if within_its_minutes and access.family.live_at(self.now):
            assert status == 200, body
        else:
            assert status == 401, body

    @invariant()
    def stored_families_match(self) -> None:
        """A family is revoked in the table exactly when a reused token revoked it, and no other is."""
        for family in self.families:
            item = self.sessions.get_item(Key={"pk": family.pk}, ConsistentRead=True)["Item"]
            assert ("revoked_at" in item) == family.revoked
            assert int(item["expires_at"]) == family.expires_at

    @rule(seconds=st.sampled_from([1, 60, 899, 900, 905, 3600, 86_400, REFRESH_IDLE - 1, 29 * 86_400]))
    def time_passes(self, seconds: int) -> None:
        self.advance(seconds)

    @rule(offset=st.sampled_from([-1, 0, 1]))
    def time_reaches_the_next_deadline(self, offset: int) -> None:
        """To one second before, at or after the next of the families' idle or absolute deadlines and the
        access tokens' last instants."""
        deadlines = {d for f in self.families for d in (f.expires_at, f.idle_expires_at)}
        deadlines |= {a.issued_at + ACCESS_TOKEN_SECONDS + CLOCK_LEEWAY for a in self.access_tokens}
        future = [d + offset for d in deadlines if d + offset > self.now]
        if future:
            self.now = float(min(future))


OperationLifecycle.TestCase.settings = RUN
RefreshFamilies.TestCase.settings = RUN
# Run by pytest as unittest cases, on the template's tables emptied once per machine.
TestOperationLifecycle = pytest.mark.usefixtures("tables")(OperationLifecycle.TestCase)
TestRefreshFamilies = pytest.mark.usefixtures("tables")(RefreshFamilies.TestCase)
