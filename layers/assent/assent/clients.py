"""Client applications and their API keys: issued once, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from assent.clock import Clock, iso8601, system_clock
from assent.errors import ClientNotFound, Unauthenticated
from assent.repositories.reads import all_items

API_KEY_PREFIX = "ak_"
# Keys we issue carry 256 random bits; a key a developer chooses for local use must not be trivially short.
MIN_API_KEY_LENGTH = 20
MAX_API_KEY_LENGTH = 256


@dataclass(frozen=True)
class Client:
    """An authenticated client application: the typed principal handlers receive."""

    client_id: str
    key_id: str
    name: str


@dataclass(frozen=True)
class ClientRecord:
    key_hash: str
    client_id: str
    key_id: str
    name: str
    created_at: str
    revoked_at: str | None = None

    @property
    def client(self) -> Client:
        return Client(client_id=self.client_id, key_id=self.key_id, name=self.name)


@dataclass(frozen=True)
class IssuedKey:
    """What `create` hands back once: the only time the API key itself exists outside the caller."""

    record: ClientRecord
    api_key: str


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    # A plain digest suffices: issued keys have 256 bits of entropy, so there is nothing to brute-force,
    # and the digest is the table key, so authenticating costs one GetItem.
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class ClientsRepository:
    """The clients table: one item per API key, keyed by the key's digest."""

    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    def add(self, record: ClientRecord) -> None:
        item = {
            "key_hash": record.key_hash,
            "client_id": record.client_id,
            "key_id": record.key_id,
            "name": record.name,
            "created_at": record.created_at,
        }
        self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(key_hash)")

    def find(self, key_hash: str) -> ClientRecord | None:
        # Consistent, so that a revocation takes effect on the very next request.
        item = self._table.get_item(Key={"key_hash": key_hash}, ConsistentRead=True).get("Item")
        return _record(item) if item else None

    def all(self) -> list[ClientRecord]:
        return [_record(item) for item in all_items(self._table.scan, ConsistentRead=True)]

    def revoke(self, key_hash: str, revoked_at: str) -> None:
        self._table.update_item(
            Key={"key_hash": key_hash},
            UpdateExpression="SET revoked_at = :at",
            ConditionExpression="attribute_exists(key_hash) AND attribute_not_exists(revoked_at)",
            ExpressionAttributeValues={":at": revoked_at},
        )


def _record(item: dict) -> ClientRecord:
    return ClientRecord(
        key_hash=str(item["key_hash"]),
        client_id=str(item["client_id"]),
        key_id=str(item["key_id"]),
        name=str(item["name"]),
        created_at=str(item["created_at"]),
        revoked_at=str(item["revoked_at"]) if item.get("revoked_at") else None,
    )


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
        """A new client with a new key; `api_key` lets a developer fix the key of a local client."""
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
