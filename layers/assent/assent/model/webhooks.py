"""Webhook endpoints and their deliveries: what a client registered, and each attempt to tell it something."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from assent.core.clock import iso8601

# A client's endpoints; more is a misconfiguration, and each event is sent once to each.
MAX_ENDPOINTS_PER_CLIENT = 10
MAX_URL_CHARS = 2048
# After a rotation the old secret still signs for a day, so a receiver can take up the new one meanwhile.
ROTATION_OVERLAP_SECONDS = 86_400
# How long a delivery's record is kept for its log and its replay.
DELIVERY_RETENTION_SECONDS = 30 * 86_400
LOOPBACK_NAMES = ("127.0.0.1", "localhost")

ACTIVE = "active"
FAILING = "failing"  # a delivery was dead-lettered; the endpoint still receives
DISABLED = "disabled"  # it answered 410 Gone: nothing more is sent to it

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


class UnacceptableUrl(ValueError):
    """A webhook URL Assent will not send to."""


def check_url(url: str, *, allow_loopback: bool = False) -> str:
    """An https URL of a named or public host, without credentials; on the local API, also plain http to
    127.0.0.1 or localhost. The name's addresses are checked again at every delivery (SECURITY.md 41)."""
    if len(url) > MAX_URL_CHARS:
        raise UnacceptableUrl(f"the url must be at most {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnacceptableUrl("the url is not a URL") from error
    host = (parts.hostname or "").lower()
    if not host:
        raise UnacceptableUrl("the url must name a host")
    if parts.username is not None or parts.password is not None:
        raise UnacceptableUrl("the url must not carry credentials")
    loopback = allow_loopback and host in LOOPBACK_NAMES
    if parts.scheme != "https" and not (loopback and parts.scheme == "http"):
        raise UnacceptableUrl("the url must be https")
    if port == 0:
        raise UnacceptableUrl("the url's port must not be 0")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" and not loopback:
            raise UnacceptableUrl("the url must not name a private, loopback or link-local address") from None
        return url
    if not (address.is_global or (loopback and address.is_loopback)):
        raise UnacceptableUrl("the url must not name a private, loopback or link-local address")
    return url


@dataclass(frozen=True)
class Secret:
    """A signing secret as stored: encrypted, and until when it signs (None: until the next rotation)."""

    ciphertext: bytes
    until: int | None = None


@dataclass(frozen=True)
class Endpoint:
    id: str
    client_id: str
    url: str
    events: tuple[str, ...]  # empty: every event
    secrets: tuple[Secret, ...]
    created_ms: int
    state: str = ACTIVE
    failed_ms: int | None = None  # when a delivery to it was last dead-lettered

    def wants(self, event_type: str) -> bool:
        return self.state != DISABLED and (not self.events or event_type in self.events)

    def signing_secrets(self, now: float) -> tuple[Secret, ...]:
        return tuple(secret for secret in self.secrets if secret.until is None or secret.until > now)


@dataclass(frozen=True)
class Attempt:
    """One attempt at a delivery: when, how long it took, and the status answered (or why none was)."""

    at_ms: int
    duration_ms: int
    status: int | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at_ms": self.at_ms,
            "duration_ms": self.duration_ms,
            "status": self.status,
            "error": self.error,
        }


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint. Its id is the `webhook-id` every attempt carries: a digest of the event
    and the endpoint, so the same change never makes two deliveries (SECURITY.md 41)."""

    id: str
    endpoint_id: str
    client_id: str
    event_id: str
    event_type: str
    body: str
    state: str = PENDING
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    enqueued: bool = False

    @classmethod
    def of(
        cls, endpoint: Endpoint, event_id: str, event_type: str, at_ms: int, data: dict[str, Any]
    ) -> Delivery:
        digest = hashlib.sha256(f"{event_id}\x1f{endpoint.id}".encode()).hexdigest()
        body = json.dumps(
            {"type": event_type, "timestamp": iso8601(at_ms), "data": data},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return cls(
            # Time first, so that a delivery log reads newest first by its id.
            id=f"msg_{at_ms:013d}{digest[:19]}",
            endpoint_id=endpoint.id,
            client_id=endpoint.client_id,
            event_id=event_id,
            event_type=event_type,
            body=body,
        )
