"""Client applications: the typed principal a handler receives, and the record of one API key."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from assent.model.display_text import displayable
from assent.model.operations import ASSENT_CLIENT_NAME

MAX_NAME_CHARS = 64


def registered_name(name: str) -> str:
    """A client's name as devices show it, NFC-normalised; ValueError for one a device could show as something
    else, an empty or overlong one, or Assent's own (SECURITY.md 37)."""
    shown = displayable(name.strip())
    if not 1 <= len(shown) <= MAX_NAME_CHARS:
        raise ValueError(f"a client's name has 1..{MAX_NAME_CHARS} characters")
    # Compatibility-folded, so that the full-width letters (U+FF21...) spell Assent's name too.
    if unicodedata.normalize("NFKC", shown).casefold() == ASSENT_CLIENT_NAME.casefold():
        raise ValueError(f"{ASSENT_CLIENT_NAME} is the name of the service's own requests")
    return shown


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
