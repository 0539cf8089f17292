"""Hyphen's auth API (seed 003): request and answer shapes as its docs show them.

Hyphen names its errors (`PleaseRegisterKey`) without showing a body; errors here are
`{"error": code, "message"}`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assent.http import FamilyResolver, PlainErrorEnvelope, build_resolver
from assent.sessions import Credentials

MAX_REFRESH_TOKEN_CHARS = 128


class RefreshBody(BaseModel):
    refreshToken: str = Field(min_length=1, max_length=MAX_REFRESH_TOKEN_CHARS)


class CredentialsView(BaseModel):
    accessToken: str
    refreshToken: str


class RefreshResponse(BaseModel):
    credentials: CredentialsView


def credentials_view(credentials: Credentials) -> CredentialsView:
    return CredentialsView(accessToken=credentials.access_token, refreshToken=credentials.refresh_token)


def resolver() -> FamilyResolver:
    return build_resolver(PlainErrorEnvelope())
