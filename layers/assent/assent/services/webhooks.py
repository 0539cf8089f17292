"""A client's webhook endpoints: registered with a secret shown once and kept encrypted, rotated with a
day's overlap, and their delivery logs, read and replayed (SECURITY.md 41)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assent.core.clock import Clock, system_clock
from assent.core.errors import InvalidRequest, TooManyEndpoints, WebhookNotFound
from assent.crypto.webhook_signatures import new_secret
from assent.model.events import EVENT_TYPES
from assent.model.webhooks import (
    MAX_ENDPOINTS_PER_CLIENT,
    ROTATION_OVERLAP_SECONDS,
    Delivery,
    Endpoint,
    Secret,
    UnacceptableUrl,
    check_url,
)

if TYPE_CHECKING:
    from assent.adapters.queues import Queue
    from assent.model.clients import Client
    from assent.repositories.webhooks import WebhooksRepository


class SecretBox:
    """Webhook secrets encrypted with a KMS key, each bound to its endpoint (the encryption context), so a
    ciphertext copied to another endpoint's item does not decrypt."""

    def __init__(self, kms_client: Any, key_id: str) -> None:
        self._kms = kms_client
        self._key_id = key_id

    def seal(self, endpoint_id: str, secret: str) -> bytes:
        answer = self._kms.encrypt(
            KeyId=self._key_id, Plaintext=secret.encode(), EncryptionContext={"assent:webhook": endpoint_id}
        )
        return bytes(answer["CiphertextBlob"])

    def open(self, endpoint_id: str, ciphertext: bytes) -> str:
        answer = self._kms.decrypt(
            KeyId=self._key_id, CiphertextBlob=ciphertext, EncryptionContext={"assent:webhook": endpoint_id}
        )
        return bytes(answer["Plaintext"]).decode()


class Webhooks:
    def __init__(
        self,
        repository: WebhooksRepository,
        box: SecretBox,
        deliveries: Queue,
        *,
        allow_loopback: bool,
        clock: Clock = system_clock,
    ) -> None:
        self._repository = repository
        self._box = box
        self._deliveries = deliveries
        self._allow_loopback = allow_loopback
        self._clock = clock

    def add(self, client: Client, url: str, events: list[str] | None) -> tuple[Endpoint, str]:
        """A new endpoint for the client and its secret, which is never shown again."""
        try:
            check_url(url, allow_loopback=self._allow_loopback)
        except UnacceptableUrl as error:
            raise InvalidRequest(str(error)) from error
        unknown = sorted(set(events or ()) - set(EVENT_TYPES))
        if unknown:
            raise InvalidRequest(f"unknown event types: {', '.join(unknown)}")
        # A soft cap, read before the write: two registrations at once may both pass it.
        if len(self._repository.endpoints_of(client.client_id)) >= MAX_ENDPOINTS_PER_CLIENT:
            raise TooManyEndpoints(f"a client has at most {MAX_ENDPOINTS_PER_CLIENT} webhook endpoints")
        endpoint_id = "ep_" + secrets.token_hex(12)
        secret = new_secret()
        endpoint = Endpoint(
            id=endpoint_id,
            client_id=client.client_id,
            url=url,
            events=tuple(sorted(set(events or ()))),
            secrets=(Secret(self._box.seal(endpoint_id, secret)),),
            created_ms=int(self._clock() * 1000),
        )
        self._repository.add_endpoint(endpoint)
        return endpoint, secret

    def of(self, client: Client) -> list[Endpoint]:
        return self._repository.endpoints_of(client.client_id)

    def remove(self, client: Client, endpoint_id: str) -> None:
        if not self._repository.remove_endpoint(client.client_id, endpoint_id):
            raise WebhookNotFound(f"no webhook {endpoint_id}")

    def rotate(self, client: Client, endpoint_id: str) -> tuple[Endpoint, str]:
        """A new secret for the endpoint; the one it replaces signs beside it for a day."""
        endpoint = self._endpoint(client, endpoint_id)
        now = self._clock()
        secret = new_secret()
        kept = tuple(
            replace(old, until=old.until if old.until is not None else int(now) + ROTATION_OVERLAP_SECONDS)
            for old in endpoint.signing_secrets(now)
        )
        secrets_now = (Secret(self._box.seal(endpoint.id, secret)), *kept)
        if not self._repository.replace_secrets(endpoint, secrets_now):
            raise WebhookNotFound(f"webhook {endpoint_id} changed meanwhile; rotate again")
        return replace(endpoint, secrets=secrets_now), secret

    def deliveries(self, client: Client, endpoint_id: str, *, limit: int) -> list[Delivery]:
        endpoint = self._endpoint(client, endpoint_id)
        return self._repository.deliveries_of(endpoint.id, limit=limit)

    def replay(self, client: Client, endpoint_id: str, delivery_id: str) -> Delivery:
        """Send a delivery again, as it was (the same `webhook-id`, so a receiver that has it can tell)."""
        endpoint = self._endpoint(client, endpoint_id)
        delivery = self._repository.delivery(endpoint.id, delivery_id)
        if delivery is None:
            raise WebhookNotFound(f"no delivery {delivery_id}")
        reopened = self._repository.reopen(delivery)
        self._deliveries.send(delivery_message(reopened))
        return reopened

    def _endpoint(self, client: Client, endpoint_id: str) -> Endpoint:
        endpoint = self._repository.endpoint(client.client_id, endpoint_id)
        if endpoint is None:
            raise WebhookNotFound(f"no webhook {endpoint_id}")
        return endpoint


def delivery_message(delivery: Delivery) -> dict[str, str]:
    """What the delivery queue carries: where to find the delivery, never its body or a secret."""
    return {"clientId": delivery.client_id, "endpointId": delivery.endpoint_id, "deliveryId": delivery.id}
