"""Attempts at a code: counted before any comparison, refused with what was found when none may be made."""

from __future__ import annotations


class AttemptNotCounted[Found](Exception):
    """No attempt may be made: `found` is the record as it stood (expired, used up, replaced), or None if
    there is none."""

    def __init__(self, found: Found | None) -> None:
        super().__init__("no attempt may be made")
        self.found = found
