"""Sessions: access tokens verified as SECURITY.md 22 says, refresh tokens rotated and reuse punished (24)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from assent.access import SignedInUser, UserCaller
from assent.families import hyphen
from assent_tools.runner import LambdaContext
from tests.conftest import api_event, invoke
from tests.handlers.hyphen import (
    Device,
    decide,
    keys,
    only_pending,
    pending,
    revocation_challenge,
    revocation_proof,
    revoke_with,
    signed_up,
)
from tests.handlers.keyless import created
from tests.handlers.pakt import new_wallet, onboarded, refresh, request, resend, signed_validation


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(header: dict[str, Any], claims: dict[str, Any], key: ec.EllipticCurvePrivateKey | None) -> str:
    """A JWT signed by a key of the test's own (or unsigned), never by the code under test."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _claims_of(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, claims, _ = token.split(".")
    return tuple(json.loads(base64.urlsafe_b64decode(part + "==")) for part in (header, claims))  # type: ignore[return-value]


@pytest.fixture
def session(tables) -> dict[str, Any]:
    return onboarded(new_wallet(), f"session-{time.time_ns()}@example.com")


def test_refresh_answers_hyphens_shape_with_a_new_pair(session):
    """SECURITY.md 24."""
    status, _, body = refresh(session["refreshToken"])

    assert status == 200
    assert set(body) == {"credentials"} and set(body["credentials"]) == {"accessToken", "refreshToken"}
    assert body["credentials"]["refreshToken"] != session["refreshToken"]
    assert (
        _claims_of(body["credentials"]["accessToken"])[1]["sub"]
        == _claims_of(session["tempToken"]["token"])[1]["sub"]
    )


def test_a_refresh_token_is_stored_only_as_a_digest(session, tables):
    """SECURITY.md 24."""
    [item] = tables["SessionsTable"].scan()["Items"]

    secret = session["refreshToken"].split(".")[1]
    assert secret not in json.dumps(item, default=str)


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(session, tables):
    """SECURITY.md 24."""
    first = session["refreshToken"]
    _, _, rotated = refresh(first)
    second = rotated["credentials"]["refreshToken"]

    status, _, body = refresh(first)  # a replay, by a thief or a confused client

    assert status == 401 and body == {
        "error": "INVALID_REFRESH_TOKEN",
        "message": "the refresh token is not valid",
    }
    assert refresh(second).status == 401  # the legitimate holder is signed out too
    [item] = tables["SessionsTable"].scan()["Items"]
    assert item["revoked_reason"] == "reuse"


def test_a_session_past_its_absolute_lifetime_is_refused(session, tables, clock):
    """SECURITY.md 24: families have an absolute lifetime, checked on read (SECURITY.md 4)."""
    [item] = tables["SessionsTable"].scan()["Items"]
    tables["SessionsTable"].update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(clock()) - 1},
    )

    assert refresh(session["refreshToken"]).status == 401


@pytest.mark.parametrize("token", ["", "rt_short", "x" * 128, "rt_" + "A" * 22 + "." + "B" * 43])
def test_malformed_or_unknown_refresh_tokens_get_4xx(tables, token):
    """SECURITY.md 26-27."""
    status, _, body = refresh(token)

    assert status in (400, 401) and "error" in body


def test_a_secret_the_family_never_issued_is_refused_and_ends_nothing(session, tables):
    """SECURITY.md 32: a family's id is no secret (an access token's `sid` names it), so a made-up secret with
    a real family id is only a wrong token: 401, and its owner refreshes on."""
    family = session["refreshToken"].split(".")[0]

    assert refresh(f"{family}.{'C' * 43}").status == 401

    [item] = tables["SessionsTable"].scan()["Items"]
    assert "revoked_reason" not in item
    assert refresh(session["refreshToken"]).status == 200


def test_a_stranger_with_an_access_token_cannot_end_its_session(session, tables):
    """SECURITY.md 32, the attack replayed: whoever sees an access token reads the session's id in it and
    builds refresh tokens from it; none ends the session, whatever secret it carries."""
    claims = _claims_of(session["tempToken"]["token"])[1]
    forged = [
        f"rt_{claims['sid']}.{secret}" for secret in ("A" * 43, "_" * 43, "0123456789abcdef" * 2 + "x" * 11)
    ]

    assert [refresh(token).status for token in forged] == [401, 401, 401]
    assert refresh(session["refreshToken"]).status == 200


def test_a_family_remembers_its_last_32_rotated_tokens_and_no_more(session, tables):
    """SECURITY.md 24 and 32: after 70 rotations the family holds 32 marks; a token rotated 60 times ago is
    only refused; one rotated 32 times ago is recognised, and its replay ends the family."""
    tokens = [session["refreshToken"]]
    for _ in range(70):
        tokens.append(refresh(tokens[-1]).body["credentials"]["refreshToken"])
    [item] = tables["SessionsTable"].scan()["Items"]
    assert len(item["rotated"]) == 32

    assert refresh(tokens[-61]).status == 401
    [item] = tables["SessionsTable"].scan()["Items"]
    assert "revoked_reason" not in item

    assert refresh(tokens[-33]).status == 401
    assert refresh(tokens[-1]).status == 401
    [item] = tables["SessionsTable"].scan()["Items"]
    assert item["revoked_reason"] == "reuse"


def _resend_with(token: str) -> int:
    return resend(token).status


def test_access_tokens_are_accepted_where_a_user_is_expected(session):
    assert _resend_with(session["tempToken"]["token"]) in (200, 429)


def test_a_jwt_with_alg_none_is_refused(session):
    """SECURITY.md 22."""
    header, claims = _claims_of(session["tempToken"]["token"])

    assert _resend_with(_forge({**header, "alg": "none"}, claims, None)) == 401


def test_a_jwt_signed_by_another_key_under_the_real_kid_is_refused(session):
    """SECURITY.md 22."""
    header, claims = _claims_of(session["tempToken"]["token"])

    assert _resend_with(_forge(header, claims, ec.generate_private_key(ec.SECP256R1()))) == 401


def test_a_jwt_naming_an_unknown_kid_or_carrying_its_own_key_is_refused(session):
    """SECURITY.md 22: keys come only from configuration, never from jku, jwk or x5u."""
    header, claims = _claims_of(session["tempToken"]["token"])
    attacker = ec.generate_private_key(ec.SECP256R1())
    numbers = attacker.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
    }

    assert _resend_with(_forge({**header, "kid": "attacker"}, claims, attacker)) == 401
    assert _resend_with(_forge({**header, "jwk": jwk}, claims, attacker)) == 401
    assert _resend_with(_forge({**header, "jku": "https://attacker.example/jwks"}, claims, attacker)) == 401


def test_a_tampered_claim_breaks_the_signature(session):
    """SECURITY.md 22."""
    header_b64, claims_b64, signature = session["tempToken"]["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=="))
    tampered = _b64(json.dumps({**claims, "sub": "0" * 32}).encode())

    assert _resend_with(f"{header_b64}.{tampered}.{signature}") == 401


def test_an_expired_access_token_is_refused(session, clock):
    """SECURITY.md 22, 24: fifteen minutes and a little leeway, no more."""
    token = session["tempToken"]["token"]
    clock.advance(16 * 60)

    assert _resend_with(token) == 401


def test_a_route_that_states_a_user_caller_gets_the_bearer_tokens_user(session):
    """SECURITY.md 22: the principal resolver accepts an access token, and only an access token."""
    app = hyphen.resolver()

    @app.post("/auth/v1/refresh")
    def whoami(user: UserCaller) -> dict:
        assert isinstance(user, SignedInUser)
        return {"userId": user.user_id, "session": user.session_id}

    def call(authorization: str | None) -> dict:
        event = api_event("hyphen/refresh.json", headers={"Authorization": authorization})
        return app.resolve(event, LambdaContext("whoami"))

    token = session["tempToken"]["token"]
    answer = call(f"Bearer {token}")
    assert answer["statusCode"] == 200, answer["body"]
    assert json.loads(answer["body"])["userId"] == _claims_of(token)[1]["sub"]
    assert call(None)["statusCode"] == 401
    assert call(f"Bearer {session['refreshToken']}")["statusCode"] == 401


def _resource_server_check(token: str, jwks: dict[str, Any], audience: str = "assent") -> dict[str, Any]:
    """What a resource server configured for Assent's access tokens does, with PyJWT: the key from the JWKS,
    ES256, the issuer and audience, and RFC 9068's header `typ: at+jwt`."""
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims: dict[str, Any] = jwt.decode(
        token, key=key, algorithms=["ES256"], audience=audience, issuer="assent"
    )
    if header.get("typ") != "at+jwt":
        raise jwt.InvalidTokenError("not an access token")
    return claims


def test_a_standard_access_token_check_accepts_access_tokens_and_refuses_step_tokens(tables):
    """SECURITY.md 31: validate mints a step token for any new wallet that signs; a resource server checking
    access tokens the standard way (JWKS, issuer, audience, typ) refuses it, by its audience and by its header
    alike. web3/request's temp token, which anyone gets for any address, is opaque: not a JWT at all."""
    jwks = invoke("JwksFunction", api_event("wellknown/jwks.json")).body
    access = onboarded(new_wallet(), "typed@example.com")["tempToken"]["token"]
    step = signed_validation(new_wallet()).body["data"]["tempToken"]["token"]
    handle = request(new_wallet().address).body["data"]["tempToken"]["token"]

    assert _resource_server_check(access, jwks)["sub"]
    with pytest.raises(jwt.DecodeError):
        _resource_server_check(handle, jwks)
    with pytest.raises(jwt.InvalidAudienceError):
        _resource_server_check(step, jwks)
    with pytest.raises(jwt.InvalidTokenError, match="not an access token"):
        _resource_server_check(step, jwks, audience="assent:step")


@pytest.mark.parametrize(
    "route", ["keys", "pending approvals", "approve", "revocation challenge", "revoke a key"]
)
def test_an_access_token_whose_session_has_ended_is_refused_at_once(tables, api_key, route):
    """SECURITY.md 33: a replayed refresh token ends its session, and the session's access tokens, though
    within their 15 minutes, are refused by every user route from that moment."""
    phone = Device()
    body = signed_up(phone, "ada@example.com")
    access, first = body["credentials"]["accessToken"], body["credentials"]["refreshToken"]
    created(api_key, body["account"]["id"])
    shown = only_pending(access)
    proof = revocation_proof(access, phone.public_key, phone)
    assert refresh(first).status == 200
    assert refresh(first).status == 401  # the replay ends the session

    answer = {
        "keys": lambda: keys(access),
        "pending approvals": lambda: pending(access),
        "approve": lambda: decide(access, shown, phone),
        "revocation challenge": lambda: revocation_challenge(access, phone.public_key),
        "revoke a key": lambda: revoke_with(access, phone.public_key, proof),
    }[route]()

    assert (answer.status, answer.error) == (401, "INVALID_TOKEN")
