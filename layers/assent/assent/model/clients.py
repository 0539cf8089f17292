"""Client applications: the typed principal a handler receives, and the record of one API key."""

from __future__ import annotations

from dataclasses import dataclass


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
