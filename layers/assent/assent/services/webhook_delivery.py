"""Sending a delivery: signed as Standard Webhooks says, retried on a growing schedule for more than a day,
then dead-lettered with its endpoint marked failing; a 410 disables the endpoint (SECURITY.md 41)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from assent.adapters import webhook_http
from assent.core.batches import Deferred
from assent.core.clock import Clock, system_clock
from assent.core.observability import logger
from assent.crypto.webhook_signatures import signature_header
from assent.model.webhooks import DELIVERED, DISABLED, FAILED, FAILING, PENDING, Attempt, Delivery, Endpoint

if TYPE_CHECKING:
    from assent.adapters.queues import Queue
    from assent.repositories.webhooks import WebhooksRepository
    from assent.services.webhooks import SecretBox

# A delivery is held by one attempt this long: the time-out and time to record the outcome.
_LEASE_SECONDS = 30
_GONE = 410

Post = Callable[..., webhook_http.Answer]


class RetryLater(Deferred):
    """A delivery failed and is to be tried again after `delay` seconds: its message is reported failed."""

    def __init__(self, delay: int) -> None:
        super().__init__(f"retry in {delay} s")
        self.delay = delay


class Next(Enum):
    DONE = "done"  # sent, given up on, or nothing to send: the message is finished with
    RETRY = "retry"  # receive the message again after `delay`


@dataclass(frozen=True)
class Outcome:
    next: Next
    delay: int = 0


class WebhookSender:
    def __init__(
        self,
        repository: WebhooksRepository,
        box: SecretBox,
        deliveries: Queue,
        dead_letters: Queue,
        *,
        retry_delays: tuple[int, ...],
        allow_loopback: bool,
        post: Post = webhook_http.post,
        clock: Clock = system_clock,
    ) -> None:
        self._repository = repository
        self._box = box
        self._deliveries = deliveries
        self._dead_letters = dead_letters
        self._retry_delays = retry_delays
        self._allow_loopback = allow_loopback
        self._post = post
        self._clock = clock

    def send(self, client_id: str, endpoint_id: str, delivery_id: str) -> Outcome:
        done = Outcome(Next.DONE)
        endpoint = self._repository.endpoint(client_id, endpoint_id)
        if endpoint is None or endpoint.state == DISABLED:
            logger.info("webhook not sent: endpoint removed or disabled", extra={"endpoint_id": endpoint_id})
            return done
        # One conditional update both reads the delivery and holds it: no separate read first.
        delivery = self._repository.claim(
            endpoint_id, delivery_id, now=self._clock(), lease_seconds=_LEASE_SECONDS
        )
        if delivery is None:
            # Sent already or given up on (a copy of the message), or held by another attempt that retries
            # if it fails: this message is finished with.
            return done
        attempt = self._attempt(endpoint, delivery)
        number = len(delivery.attempts) + 1
        extra = {
            "endpoint_id": endpoint.id,
            "delivery_id": delivery.id,
            "attempt": number,
            "status": attempt.status,
        }
        if attempt.status is not None and 200 <= attempt.status < 300:
            self._repository.record_attempt(delivery, attempt, DELIVERED)
            logger.info("webhook delivered", extra=extra)
            return done
        if attempt.status == _GONE:
            self._repository.record_attempt(delivery, attempt, FAILED)
            self._repository.mark(client_id, endpoint.id, DISABLED, now=self._clock())
            logger.warning("webhook endpoint gone (410): disabled", extra=extra)
            return done
        if number > len(self._retry_delays):
            self._repository.record_attempt(delivery, attempt, FAILED)
            self._repository.mark(client_id, endpoint.id, FAILING, now=self._clock())
            self._dead_letters.send(
                {"clientId": client_id, "endpointId": endpoint.id, "deliveryId": delivery.id}
            )
            logger.warning("webhook dead-lettered", extra={**extra, "error": attempt.error})
            return done
        self._repository.record_attempt(delivery, attempt, PENDING)
        logger.info("webhook attempt failed", extra={**extra, "error": attempt.error})
        return Outcome(Next.RETRY, self._retry_delays[number - 1])

    def hold_back(self, receipt_handle: str, delay: int) -> None:
        """Hold a failed delivery's message back until its next attempt (its visibility timeout)."""
        self._deliveries.hold_back(receipt_handle, delay)

    def _attempt(self, endpoint: Endpoint, delivery: Delivery) -> Attempt:
        now = self._clock()
        timestamp = int(now)
        secrets = [self._box.open(endpoint.id, secret.ciphertext) for secret in endpoint.signing_secrets(now)]
        headers = {
            "content-type": "application/json",
            "user-agent": "Assent-Webhooks/1",
            "webhook-id": delivery.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets, delivery.id, timestamp, delivery.body),
        }
        began = time.monotonic()
        status, error = None, None
        try:
            status = self._post(
                endpoint.url, delivery.body.encode(), headers, allow_loopback=self._allow_loopback
            ).status
            if not 200 <= status < 300:
                error = f"answered {status}"
        except webhook_http.Refused as refused:
            error = str(refused)
        except Exception as failure:
            error = f"unreachable: {type(failure).__name__}"
        return Attempt(
            at_ms=int(now * 1000),
            duration_ms=int((time.monotonic() - began) * 1000),
            status=status,
            error=error,
        )
