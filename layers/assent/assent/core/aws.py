"""boto3 handles, created on first use and kept for the life of the container."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit

from assent.core.observability import logger, metrics

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

# The codes with which AWS says a call was over a quota (KMS's request rate, DynamoDB's partition throughput,
# SES's sending rate), after botocore's own retries.
_THROTTLED = frozenset(
    {"ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
)


def throttled(error: Exception) -> bool:
    """Whether `error` is AWS saying a call was over a quota."""
    response = getattr(error, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") in _THROTTLED


def _count_throttled(parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if parsed.get("Error", {}).get("Code") in _THROTTLED:
        # The alarm on AwsCallsThrottled tells an operator a quota is reached (docs/deploying.md#alarms).
        metrics.add_metric(name="AwsCallsThrottled", unit=MetricUnit.Count, value=1)
        logger.warning(
            "AWS throttled a call",
            extra={"aws_service": model.service_model.service_name, "operation": model.name},
        )


def _watched(aws_client: Any) -> Any:
    aws_client.meta.events.register("after-call", _count_throttled)
    return aws_client


@cache
def _dynamodb():  # type: ignore[no-untyped-def]
    resource = boto3.resource("dynamodb")
    _watched(resource.meta.client)
    return resource


def dynamodb_table(name: str) -> Table:
    return _dynamodb().Table(name)


@cache
def client(service: str) -> Any:
    """A low-level client (KMS, SES), one per service per container."""
    return _watched(boto3.client(service))  # type: ignore[call-overload]


def reset() -> None:
    """Forget cached handles (tests and the local gateway point boto3 somewhere new)."""
    _dynamodb.cache_clear()
    client.cache_clear()
