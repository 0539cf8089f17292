"""The time, in one place, so that services take it as a parameter and tests can move it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def system_clock() -> float:
    # Looked up on each call, so that a test that moves `time.time` moves every service's clock.
    return time.time()


def system_sleep(seconds: float) -> None:
    # Looked up on each call too, so that a test can make waiting move its clock instead.
    time.sleep(seconds)


def wait_out(clock: Clock, sleep: Sleep, *, began: float, seconds: float) -> float:
    """Wait until `seconds` after `began`, so that an answer's time says nothing of the work done before it
    (SECURITY.md 26); returns how long that work took, which the caller logs if it overran."""
    spent = clock() - began
    sleep(max(0.0, seconds - spent))
    return spent


def iso8601(epoch_ms: int) -> str:
    """RFC 3339 UTC with milliseconds, as JavaScript's Date.toISOString() writes it."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
