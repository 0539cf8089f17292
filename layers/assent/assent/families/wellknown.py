"""Well-known documents any service reads to verify Assent's tokens (RFC 7517 JWK Set)."""

from __future__ import annotations

from pydantic import BaseModel

from assent.core.http import FamilyResolver, PlainErrorEnvelope, build_resolver

# Verifiers may cache the key set this long; a rotation keeps the old key listed for longer than this.
JWKS_MAX_AGE_SECONDS = 300


class Jwk(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JwkSet(BaseModel):
    keys: list[Jwk]


def resolver() -> FamilyResolver:
    return build_resolver(PlainErrorEnvelope())
