"""All-or-nothing writes across tables: repositories contribute items, the service commits them together."""

from __future__ import annotations

from typing import Any


class TransactionCancelled(Exception):
    """At least one item's condition failed; `reasons[i]` says why for the i-th item ("None" if it held)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


def transact(client: Any, items: list[dict[str, Any]]) -> None:
    """Commit `items` together. `client` is a table resource's `meta.client`, which takes plain Python
    values, as the resource does, and writes them as DynamoDB's typed JSON."""
    try:
        client.transact_write_items(TransactItems=items)
    except client.exceptions.TransactionCanceledException as error:
        reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
        raise TransactionCancelled(reasons) from error
