"""DynamoDB calls per Keyless endpoint, counted through botocore's events (not timed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from assent import aws
from tests.handlers.test_keyless_operations import create, get, pending


@pytest.fixture
def dynamodb_calls(tables) -> Iterator[Counter[str]]:
    calls: Counter[str] = Counter()
    events = aws.dynamodb_table("OperationsTable").meta.client.meta.events

    def count(model, **_) -> None:  # type: ignore[no-untyped-def]
        calls[model.name] += 1

    events.register("before-call.dynamodb", count)
    yield calls
    events.unregister("before-call.dynamodb", count)


def test_each_operations_endpoint_makes_two_dynamodb_calls(api_key, dynamodb_calls):
    """One GetItem authenticates the client; one write or read does the work (see the README's table)."""
    create(api_key, {"operationId": "counted"})
    assert dynamodb_calls == Counter({"GetItem": 1, "PutItem": 1})

    dynamodb_calls.clear()
    pending(api_key)
    assert dynamodb_calls == Counter({"GetItem": 1, "Query": 1})

    dynamodb_calls.clear()
    get(api_key, "counted")
    assert dynamodb_calls == Counter({"GetItem": 2})
