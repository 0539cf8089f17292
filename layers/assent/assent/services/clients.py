"""Client applications and their API keys: authenticated on every call, created and revoked by an operator."""

from __future__ import annotations

import secrets

from assent.core.clock import Clock, iso8601, system_clock
from assent.core.errors import ClientNotFound, Unauthenticated
from assent.crypto.api_keys import MAX_API_KEY_LENGTH, MIN_API_KEY_LENGTH, generate_api_key, hash_api_key
from assent.model.clients import Client, ClientRecord, IssuedKey, registered_name
from assent.repositories.clients import ClientsRepository


class ClientsService:
    def __init__(self, repository: ClientsRepository, clock: Clock = system_clock) -> None:
        self._repository = repository
        self._clock = clock

    def authenticate(self, api_key: str | None) -> Client:
        """The client that owns this key; missing, unknown and revoked keys are refused alike."""
        if not api_key or not MIN_API_KEY_LENGTH <= len(api_key) <= MAX_API_KEY_LENGTH:
            raise Unauthenticated("a valid API key is required")
        record = self._repository.find(hash_api_key(api_key))
        if record is None or record.revoked_at is not None:
            raise Unauthenticated("a valid API key is required")
        return record.client

    def create(self, name: str, api_key: str | None = None) -> IssuedKey:
        """A new client with a new key; `api_key` lets a developer fix the key of a local client. ValueError
        for a name devices could not show as it is, or a key of the wrong length."""
        name = registered_name(name)
        key = api_key or generate_api_key()
        if not MIN_API_KEY_LENGTH <= len(key) <= MAX_API_KEY_LENGTH:
            raise ValueError(f"an API key has {MIN_API_KEY_LENGTH}..{MAX_API_KEY_LENGTH} characters")
        record = ClientRecord(
            key_hash=hash_api_key(key),
            client_id="cl_" + secrets.token_hex(8),
            key_id="key_" + secrets.token_hex(8),
            name=name,
            created_at=iso8601(int(self._clock() * 1000)),
        )
        self._repository.add(record)
        return IssuedKey(record=record, api_key=key)

    def all(self) -> list[ClientRecord]:
        return sorted(self._repository.all(), key=lambda record: record.created_at)

    def revoke(self, client_id: str) -> list[ClientRecord]:
        """Revoke every live key of a client; the client's operations stay for their retention."""
        live = [r for r in self._repository.all() if r.client_id == client_id and r.revoked_at is None]
        if not live:
            raise ClientNotFound(f"no live client {client_id}")
        revoked_at = iso8601(int(self._clock() * 1000))
        for record in live:
            self._repository.revoke(record.key_hash, revoked_at)
        return live
