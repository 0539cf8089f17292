"""Rotating the token signing key as the deploying page says, deploy by deploy under moto (SECURITY.md 22-23):
tokens of the old key verify during the window and stop after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import jwt
import pytest

from tests.conftest import api_event, invoke, redeploy
from tests.handlers.hyphen import Device, keys, signed_up
from tests.handlers.pakt import refresh


@pytest.fixture
def deploy(tables) -> Iterator[Callable[[str], dict[str, str]]]:
    """`sam deploy` with TokenSigningKeys set; the stack goes back to its usual keys afterwards."""
    yield lambda slots: redeploy({"TokenSigningKeys": slots})
    redeploy({})


def _jwks() -> dict[str, Any]:
    answer = invoke("JwksFunction", api_event("wellknown/jwks.json"))
    assert answer.status == 200
    return answer.body


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def _verifies_elsewhere(token: str, jwks: dict[str, Any]) -> bool:
    """A resource server's check with PyJWT against the JWKS it fetched."""
    published = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks).keys}
    if _kid(token) not in published:
        return False
    jwt.decode(token, key=published[_kid(token)], algorithms=["ES256"], audience="assent", issuer="assent")
    return True


def test_a_rotation_keeps_old_tokens_valid_for_its_window_and_ends_them_after(deploy):
    """SECURITY.md 22-23: "A" → "A,B" (B published, A signs) → "B,A" (B signs, A's tokens verify) → "B" (A's
    tokens refused everywhere, A scheduled for deletion)."""
    kms = boto3.client("kms")
    first = deploy("A")
    session = signed_up(Device(), "rotation@example.com")["credentials"]
    old_access = session["accessToken"]

    assert _kid(old_access) == first["TokenSigningKeyA"]
    assert [k["kid"] for k in _jwks()["keys"]] == [first["TokenSigningKeyA"]]

    published = deploy("A,B")
    assert published["TokenSigningKeyA"] == first["TokenSigningKeyA"]  # the same key: no new material
    jwks = _jwks()
    assert [k["kid"] for k in jwks["keys"]] == [first["TokenSigningKeyA"], published["TokenSigningKeyB"]]
    refreshed = refresh(session["refreshToken"]).body["credentials"]["accessToken"]
    assert _kid(refreshed) == first["TokenSigningKeyA"]

    deploy("B,A")
    renewed = signed_up(Device(), "rotation-b@example.com")["credentials"]["accessToken"]
    jwks = _jwks()
    assert _kid(renewed) == published["TokenSigningKeyB"]
    assert keys(old_access).status == 200 and keys(renewed).status == 200
    assert _verifies_elsewhere(old_access, jwks) and _verifies_elsewhere(renewed, jwks)

    final = deploy("B")
    jwks = _jwks()
    assert set(final) == {"TokenSigningKeyB", "CodeHashKey", "WebhookSecretsKey"}
    assert [k["kid"] for k in jwks["keys"]] == [published["TokenSigningKeyB"]]
    assert keys(old_access).status == 401 and keys(renewed).status == 200
    assert not _verifies_elsewhere(old_access, jwks) and _verifies_elsewhere(renewed, jwks)
    state = kms.describe_key(KeyId=first["TokenSigningKeyA"])["KeyMetadata"]["KeyState"]
    assert state == "PendingDeletion"  # a retired key cannot sign again
