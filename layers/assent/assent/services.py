"""Services wired to their tables, built on first use and kept for the life of the container."""

from __future__ import annotations

from functools import cache

from assent import aws, config
from assent.clients import ClientsRepository, ClientsService
from assent.operations import OperationsService
from assent.repositories.operations import OperationsRepository


@cache
def clients_service() -> ClientsService:
    return ClientsService(ClientsRepository(aws.dynamodb_table(config.settings().clients_table)))


@cache
def operations_service() -> OperationsService:
    settings = config.settings()
    return OperationsService(
        OperationsRepository(aws.dynamodb_table(settings.operations_table)),
        lifetime_seconds=settings.operation_lifetime_seconds,
        retention_seconds=settings.operation_retention_seconds,
        node_id=settings.node_id,
    )


def reset() -> None:
    """Drop every cached setting, handle and service (tests, and tools that switch stores)."""
    for factory in (clients_service, operations_service, config.settings):
        factory.cache_clear()
    aws.reset()
