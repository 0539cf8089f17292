"""Standard Webhooks signatures (standardwebhooks.com): secrets, and the `webhook-signature` header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix every secret carries, not a secret)
# 24 bytes, as the specification's examples use: between its minimum (24) and maximum (64).
_SECRET_BYTES = 24


def new_secret() -> str:
    """A signing secret as a receiver configures it: `whsec_` and the base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the form the header carries for one secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(secrets_in_use: list[str], message_id: str, timestamp: int, body: str) -> str:
    """Every live secret's signature, space-separated: during a rotation a receiver holding either secret
    verifies the delivery."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_use)
