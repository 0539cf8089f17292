"""AWS calls counted through botocore's events on the layer's own clients, for tests and benchmarks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

SERVICES = ("dynamodb", "kms", "ses", "sns", "sqs")


def layer_clients() -> dict[str, Any]:
    """The AWS clients the layer itself uses (cached per container), whose calls are the function's."""
    from assent.core import aws

    # The DynamoDB resource's tables share one client; the others are cached per service.
    return {
        "dynamodb": aws.dynamodb_table("any").meta.client,
        **{service: aws.client(service) for service in SERVICES if service != "dynamodb"},
    }


@contextmanager
def hooked(event: str, handler: Callable[..., Any], *services: str) -> Iterator[None]:
    """`handler` registered for botocore's `event` (`before-call`, `after-call`, …) on the layer's clients of
    `services` (all, if none is named) while the block runs."""
    clients = {name: client for name, client in layer_clients().items() if not services or name in services}
    for service, client in clients.items():
        client.meta.events.register(f"{event}.{service}", handler)
    try:
        yield
    finally:
        for service, client in clients.items():
            client.meta.events.unregister(f"{event}.{service}", handler)


@contextmanager
def counted_calls() -> Iterator[Counter[str]]:
    """Counts every call the layer makes, as `service.Operation`, while the block runs."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}.{model.name}"] += 1

    with hooked("before-call", count):
        yield calls


@contextmanager
def failing_call(
    number: int, service: str = "dynamodb", code: str = "InternalServerError"
) -> Iterator[list[str]]:
    """The `number`-th call (from 1) the layer makes to `service` fails as if AWS had answered with the error
    `code` (InternalServerError; ThrottlingException for a quota), once botocore is done retrying; the list
    names the calls made, the failed one last."""
    from botocore.awsrequest import AWSResponse

    made: list[str] = []

    def fail(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        made.append(model.name)
        if len(made) != number:
            return None
        # An answer in place of AWS's: botocore then goes on as with AWS's own (after-call, the error raised).
        status = 400 if "Throttl" in code else 500
        return AWSResponse("", status, {}, None), {"Error": {"Code": code, "Message": "injected by a test"}}

    with hooked("before-call", fail, service):
        yield made
