"""Sign-up with Firebase and Apple ID tokens: real RS256 tokens, verified against a JWKS served over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.handlers.hyphen import Device, sign_up

PROJECT = "assent-test"
APPLE_CLIENT = "com.example.assent"


class Provider:
    """An OIDC provider: an RSA key, its JWKS on a local HTTP server, and ID tokens it signs."""

    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer, self.audience = issuer, audience
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()

    def id_token(self, email: str = "ada@example.com", **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "provider-user-1",
            "iat": now,
            "exp": now + 3600,
            "email": email,
            "email_verified": True,
        }
        claims.update(changes)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
def providers(tables, monkeypatch) -> Iterator[dict[str, Provider]]:
    from assent import wiring

    served = {
        "/firebase": Provider(f"https://securetoken.google.com/{PROJECT}", PROJECT),
        "/apple": Provider("https://appleid.apple.com", APPLE_CLIENT),
    }

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            provider = served.get(self.path)
            self.send_response(200 if provider else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(provider.jwks if provider else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("ASSENT_FIREBASE_PROJECT_ID", PROJECT)
    monkeypatch.setenv("ASSENT_FIREBASE_JWKS_URL", f"{base}/firebase")
    monkeypatch.setenv("ASSENT_APPLE_CLIENT_ID", APPLE_CLIENT)
    monkeypatch.setenv("ASSENT_APPLE_JWKS_URL", f"{base}/apple")
    wiring.reset()
    yield {"firebase": served["/firebase"], "apple": served["/apple"]}
    server.shutdown()
    wiring.reset()


@pytest.mark.parametrize("method", ["firebase", "apple"])
def test_a_verified_id_token_signs_up_its_e_mail_address(providers, tables, method):
    status, _, body = sign_up(
        Device(), "", method=method, token=providers[method].id_token("Ada@Example.com")
    )

    assert status == 201, body
    user = tables["UsersTable"].get_item(Key={"pk": f"user#{body['account']['id']}"})["Item"]
    assert user["email"] == "ada@example.com" and user["email_verified"] is True


def test_apple_writes_email_verified_as_a_string_and_it_is_read_as_such(providers):
    status, _, _ = sign_up(
        Device(), "", method="apple", token=providers["apple"].id_token(email_verified="true")
    )

    assert status == 201


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"aud": "another-project"}, "issued to another audience"),
        ({"iss": "https://securetoken.google.com/another-project"}, "another issuer"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"email_verified": False}, "address not verified by the provider"),
        ({"email": None}, "no address"),
        ({"iat": None}, "no issue time"),
    ],
)
def test_an_id_token_that_does_not_hold_is_a_401_and_creates_nothing(providers, tables, changes, why):
    """SECURITY.md 22: iss, aud and exp are checked."""
    status, _, body = sign_up(
        Device(), "", method="firebase", token=providers["firebase"].id_token(**changes)
    )

    assert (status, body["error"]) == (401, "INVALID_TOKEN"), why
    assert tables["UsersTable"].scan()["Items"] == []


def test_an_id_token_signed_by_another_key_is_refused(providers):
    impostor = Provider(providers["firebase"].issuer, PROJECT)

    status, _, body = sign_up(Device(), "", method="firebase", token=impostor.id_token())

    assert (status, body["error"]) == (401, "INVALID_TOKEN")


def test_an_hs256_token_keyed_with_the_public_key_is_refused(providers):
    """SECURITY.md 22: one algorithm, RS256; the key confusion attack gets nowhere."""
    now = int(time.time())
    claims = {
        "iss": providers["firebase"].issuer,
        "aud": PROJECT,
        "sub": "x",
        "iat": now,
        "exp": now + 60,
        "email": "ada@example.com",
        "email_verified": True,
    }
    public_pem = (
        providers["firebase"]
        .key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'k1', 'typ': 'JWT'}))}.{_b64(json.dumps(claims))}"
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    status, _, body = sign_up(Device(), "", method="firebase", token=forged)

    assert (status, body["error"]) == (401, "INVALID_TOKEN")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_a_method_the_deployment_has_not_configured_is_a_400(tables):
    status, _, body = sign_up(Device(), "", method="apple", token="eyJ.not.configured")

    assert (status, body["error"]) == (400, "METHOD_NOT_ENABLED")
