"""Rate limits: how many of something may happen in a window of time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most `count` per `window_seconds` (fixed windows: a burst at a boundary can reach twice that)."""

    count: int
    window_seconds: int = 60
