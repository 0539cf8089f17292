"""API keys: 256 random bits, issued once and kept only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

API_KEY_PREFIX = "ak_"
# Keys we issue carry 256 random bits; a key a developer chooses for local use must not be trivially short.
MIN_API_KEY_LENGTH = 20
MAX_API_KEY_LENGTH = 256


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    # A plain digest suffices: issued keys have 256 bits of entropy, so there is nothing to brute-force,
    # and the digest is the table key, so authenticating costs one GetItem.
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()
