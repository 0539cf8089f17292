"""boto3 handles, created on first use and kept for the life of the container."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


@cache
def _dynamodb():  # type: ignore[no-untyped-def]
    return boto3.resource("dynamodb")


def dynamodb_table(name: str) -> Table:
    return _dynamodb().Table(name)


@cache
def client(service: str) -> Any:
    """A low-level client (KMS, SES), one per service per container."""
    return boto3.client(service)  # type: ignore[call-overload]


def reset() -> None:
    """Forget cached handles (tests and the local gateway point boto3 somewhere new)."""
    _dynamodb.cache_clear()
    client.cache_clear()
