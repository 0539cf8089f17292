"""Reading what DynamoDB answers: every page of a query or scan, the item a failed condition returns, and
stored values as plain Python."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer

_deserialize = TypeDeserializer().deserialize


def all_items(
    read: Callable[..., dict[str, Any]],
    *,
    limit: int | None = None,
    max_pages: int | None = None,
    **kwargs: Any,
) -> list[Any]:
    """The items `read` (a table resource's `query` or `scan`) finds with `kwargs`, page after page; with
    `limit`, at most that many, and no page is read past them; with `max_pages`, no more pages than that."""
    return list(islice(_pages(read, kwargs, max_pages), limit))


def _pages(
    read: Callable[..., dict[str, Any]], kwargs: dict[str, Any], max_pages: int | None
) -> Iterator[Any]:
    pages = 0
    while True:
        page = read(**kwargs)
        pages += 1
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page or (max_pages is not None and pages >= max_pages):
            return
        kwargs = {**kwargs, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def item_on_failure(error: Any) -> dict[str, Any]:
    """The item as it stood when a write's condition failed (asked for with
    `ReturnValuesOnConditionCheckFailure="ALL_OLD"`), as plain values; empty if there was none. The low-level
    error carries it typed, even when the write went through a table resource."""
    return {name: _deserialize(value) for name, value in (error.response.get("Item") or {}).items()}


def plain(value: Any) -> Any:
    """A stored value as plain Python: Binary as bytes, whole Decimals as int, inside maps and lists too."""
    if isinstance(value, Binary):
        return bytes(value.value)  # type: ignore[attr-defined]  # the stubs leave out `value`
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
