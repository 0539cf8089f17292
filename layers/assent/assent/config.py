"""Typed settings, read from the environment on first use so that tests and tools can set it first."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

# SECURITY.md 5: out-of-band requests live at most ten minutes.
MAX_OPERATION_LIFETIME_SECONDS = 600


class ConfigurationError(RuntimeError):
    """The function's environment is missing or contradicts a setting; it must not serve requests."""


@dataclass(frozen=True)
class Settings:
    clients_table: str
    operations_table: str
    operation_lifetime_seconds: int
    operation_retention_seconds: int
    allowed_origin: str
    node_id: str


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{name} is not set")
    return value


def _integer(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from error


@cache
def settings() -> Settings:
    lifetime = _integer("ASSENT_OPERATION_LIFETIME_SECONDS", MAX_OPERATION_LIFETIME_SECONDS)
    if not 1 <= lifetime <= MAX_OPERATION_LIFETIME_SECONDS:
        raise ConfigurationError(
            f"ASSENT_OPERATION_LIFETIME_SECONDS must be 1..{MAX_OPERATION_LIFETIME_SECONDS}"
        )
    retention_days = _integer("ASSENT_OPERATION_RETENTION_DAYS", 30)
    if retention_days < 1:
        raise ConfigurationError("ASSENT_OPERATION_RETENTION_DAYS must be at least 1")
    return Settings(
        clients_table=_required("ASSENT_CLIENTS_TABLE"),
        operations_table=_required("ASSENT_OPERATIONS_TABLE"),
        operation_lifetime_seconds=lifetime,
        operation_retention_seconds=retention_days * 86_400,
        allowed_origin=os.environ.get("ASSENT_ALLOWED_ORIGIN", "*").strip() or "*",
        node_id=os.environ.get("ASSENT_NODE_ID", "").strip()
        or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "assent"),
    )
