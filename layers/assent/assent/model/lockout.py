"""Lock-out (SECURITY.md 28): failures are counted per account and per factor, across every challenge, code
and recovery id of that factor. Five failures in a row are free; each further one locks the factor for 2^(n-5)
seconds, at most 15 minutes; attempts during a lock are refused (429) and not counted; after 100 in a row the
factor is disabled until the user proves another factor or an operator resets it. A success ends the run.

Recovery codes have a second limit besides: at most 10 failures per account in a 24-hour window, after which
recovery is refused for the rest of the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

FREE_FAILURES = 5
MAX_LOCK_SECONDS = 900
DISABLED_AFTER = 100
RECOVERY_FAILURES_PER_WINDOW = 10
RECOVERY_WINDOW_SECONDS = 86_400


class Factor(StrEnum):
    """What a user proves themselves with; each is counted apart."""

    DEVICE_KEY = "device_key"
    PASSKEY = "passkey"
    WALLET = "wallet"
    EMAILED_CODE = "emailed_code"
    RECOVERY_CODE = "recovery_code"
    RECOVERY_KEY = "recovery_key"  # Hyphen's recovery key, a P-256 key synced by the phone's cloud keychain

    @classmethod
    def of_key_type(cls, key_type: str) -> Factor:
        kinds = {
            "deviceKey": cls.DEVICE_KEY,
            "passKey": cls.PASSKEY,
            "wallet": cls.WALLET,
            "recoveryKey": cls.RECOVERY_KEY,
        }
        return kinds[key_type]

    # The user item's attributes for this factor: the run of failures, the end of its lock, and the mark
    # that it is disabled.
    @property
    def failures_attribute(self) -> str:
        return f"failures_{self.value}"

    @property
    def locked_until_attribute(self) -> str:
        return f"locked_until_{self.value}"

    @property
    def disabled_attribute(self) -> str:
        return f"disabled_{self.value}"


def lock_seconds(failures: int) -> int:
    """How long the factor locks after its `failures`-th failure in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS)


@dataclass(frozen=True)
class FactorState:
    failures: int = 0
    locked_until: int = 0
    disabled: bool = False

    @classmethod
    def of(cls, item: Mapping[str, Any], factor: Factor) -> FactorState:
        """The factor's state as the user's item stores it."""
        return cls(
            failures=int(item.get(factor.failures_attribute, 0)),
            locked_until=int(item.get(factor.locked_until_attribute, 0)),
            disabled=bool(item.get(factor.disabled_attribute, False)),
        )

    def locked_at(self, now: float) -> bool:
        return self.disabled or now < self.locked_until
