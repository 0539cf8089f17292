"""All-or-nothing writes across tables: repositories contribute writes, the service commits them together.

Each write carries the error its failure means, so a cancelled transaction names its cause by the write that
failed, never by its position in the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

# A write fails when its condition does not hold, or when another transaction is writing its item at the
# same moment (DynamoDB cancels rather than waits); either way the item is not as the write required.
_WRITE_FAILED = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


class TransactionCancelled(Exception):
    """The transaction failed for a reason no write names (a throttled table, a failed write without a
    refusal); `reasons[i]` is DynamoDB's code for the i-th write ("None" if it held)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Write:
    """One write of a transaction (a DynamoDB `Put`, `Update`, `Delete` or `ConditionCheck`), and the error
    to raise when it fails."""

    request: dict[str, Any]
    refusal: Exception | None = None

    def refused_with(self, refusal: Exception) -> Write:
        return replace(self, refusal=refusal)


def transact(client: Any, writes: Sequence[Write]) -> None:
    """Commit `writes` together, or raise the refusal of the first one that failed.

    `client` is a table resource's `meta.client`, which takes plain Python values, as the resource does,
    and writes them as DynamoDB's typed JSON.
    """
    try:
        client.transact_write_items(TransactItems=[write.request for write in writes])
    except client.exceptions.TransactionCanceledException as error:
        reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
        for write, reason in zip(writes, reasons, strict=False):
            if reason in _WRITE_FAILED and write.refusal is not None:
                raise write.refusal from error
        raise TransactionCancelled(reasons) from error
