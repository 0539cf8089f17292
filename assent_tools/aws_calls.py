"""AWS calls counted through botocore's events on the layer's own clients, for tests and benchmarks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SERVICES = ("dynamodb", "kms", "ses", "sqs")


def layer_clients() -> dict[str, Any]:
    """The AWS clients the layer itself uses (cached per container), whose calls are the function's."""
    from assent.core import aws

    # The DynamoDB resource's tables share one client; the others are cached per service.
    return {
        "dynamodb": aws.dynamodb_table("any").meta.client,
        **{service: aws.client(service) for service in SERVICES if service != "dynamodb"},
    }


@contextmanager
def counted_calls() -> Iterator[Counter[str]]:
    """Counts every call the layer makes, as `service.Operation`, while the block runs."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}.{model.name}"] += 1

    clients = layer_clients()
    for service, client in clients.items():
        client.meta.events.register(f"before-call.{service}", count)
    try:
        yield calls
    finally:
        for service, client in clients.items():
            client.meta.events.unregister(f"before-call.{service}", count)


@contextmanager
def failing_call(number: int, service: str = "dynamodb") -> Iterator[list[str]]:
    """The `number`-th call (from 1) the layer makes to `service` fails as if AWS had answered
    InternalServerError; the list names the calls made, the failed one last."""
    from botocore.exceptions import ClientError

    made: list[str] = []

    def fail(model: Any, **_: Any) -> None:
        made.append(model.name)
        if len(made) == number:
            error = {"Error": {"Code": "InternalServerError", "Message": "injected by a test"}}
            raise ClientError(error, model.name)  # type: ignore[arg-type]

    client = layer_clients()[service]
    client.meta.events.register(f"before-call.{service}", fail)
    try:
        yield made
    finally:
        client.meta.events.unregister(f"before-call.{service}", fail)
