"""Wallet sign-in (Pakt's web3 API) through its handlers under moto, signed by eth-account."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from eth_utils import to_checksum_address

from assent.crypto.siwe import parse
from tests.handlers.pakt import (
    codes_sent_to,
    new_wallet,
    onboard,
    onboarded,
    request,
    sign,
    signed_validation,
    validate,
    verify_account,
)


def _stored(tables: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return tables[table].scan(ConsistentRead=True)["Items"]


def test_request_answers_pakts_shape_with_a_server_built_siwe_message(tables):
    """SECURITY.md 1, 7."""
    wallet = new_wallet()

    status, _, body = request(wallet.address.lower(), chainId=137)

    assert status == 200
    assert body["status"] == "success" and set(body["data"]) == {"message", "tempToken"}
    temp = body["data"]["tempToken"]
    # The stored challenge's random handle, not a JWT: nothing is signed on a route anyone may call.
    assert temp["token_type"] == "opaque" and temp["expiresIn"] == 300 and temp["token"].count(".") == 0
    message = parse(body["data"]["message"])
    assert message.address == wallet.address  # checksummed, whatever case the request used
    assert (message.domain, message.uri, message.chain_id) == (
        "localhost:5173",
        "http://localhost:5173/",
        137,
    )
    assert len(message.nonce) == 64  # 32 random bytes
    [challenge] = _stored(tables, "ChallengesTable")
    assert challenge["message"] == body["data"]["message"] and challenge["expires_at"] > time.time()


def test_each_request_gets_a_fresh_nonce(tables):
    """SECURITY.md 1."""
    wallet = new_wallet()

    nonces = {parse(request(wallet.address).body["data"]["message"]).nonce for _ in range(5)}

    assert len(nonces) == 5


@pytest.mark.parametrize(
    "account",
    [
        "0x90b780d7546ab754e35e0d2e80d76557a012d4f",  # 39 digits
        "0x90b780d7546ab754e35e0d2e80d76557a012d4fg",
        "90b780d7546ab754e35e0d2e80d76557a012d4fe00",
        "0x90B780d7546ab754e35e0d2e80d76557a012d4fe",  # mixed case, bad checksum
        "",
    ],
)
def test_request_refuses_a_malformed_or_wrongly_checksummed_address(tables, account):
    """SECURITY.md 8, 27."""
    status, _, body = request(account)

    assert status == 400
    assert body["status"] == "error" and body["data"]["code"] == "INVALID_REQUEST"
    assert _stored(tables, "ChallengesTable") == []


def test_the_seed_address_in_lower_case_is_accepted_and_checksummed(tables):
    """SECURITY.md 8."""
    seed_account = "0x90b780d7546ab754e35e0d2e80d76557a012d4fe"

    status, _, body = request(seed_account)

    assert status == 200
    assert parse(body["data"]["message"]).address == to_checksum_address(seed_account)


def test_validate_answers_202_with_an_onboarding_step_token_for_a_new_wallet(tables):
    wallet = new_wallet()

    status, _, body = signed_validation(wallet)

    assert status == 202
    data = body["data"]
    assert data["account"] == wallet.address and data["isOnboarded"] is False
    assert data["tempToken"]["token_type"] == "jwt" and data["tempToken"]["expiresIn"] == 600
    assert _stored(tables, "ChallengesTable") == []  # consumed
    [step] = _stored(tables, "TempTokensTable")
    assert step["address"] == wallet.address


def test_onboard_creates_the_user_with_the_wallet_and_a_session(tables):
    wallet = new_wallet()
    status, _, body = signed_validation(wallet)

    status, _, body = onboard(body["data"]["tempToken"]["token"], "  Mail@Example.com ")

    assert status == 200
    assert body["status"] == "success" and body["message"] == "account on-boarded"
    data = body["data"]
    assert data["tempToken"]["tokenType"] == "jwt"
    assert data["tempToken"]["expiresIn"] > time.time() * 1000  # a Unix time in milliseconds
    assert data["isVerified"] is False and data["refreshToken"].startswith("rt_")
    items = {item["pk"].split("#")[0]: item for item in _stored(tables, "UsersTable")}
    assert items["user"]["email"] == "mail@example.com" and items["user"]["first_name"] == "Jack"
    assert items["key"]["pk"] == f"key#wallet#{wallet.address}"
    assert "email" not in items  # claimed only once verified (SECURITY.md 34)
    assert len(_stored(tables, "SessionsTable")) == 1
    assert _stored(tables, "TempTokensTable") == []  # the step token is used up
    assert len(codes_sent_to("mail@example.com")) >= 1


def test_the_access_token_is_an_es256_jwt_verifiable_with_the_published_key(tables):
    """SECURITY.md 22-23: signed in KMS, verifiable by anyone holding the JWKS."""
    from tests.conftest import api_event, invoke

    data = onboarded(new_wallet(), "jwks@example.com")
    token = data["tempToken"]["token"]

    status, headers, jwks = invoke("JwksFunction", api_event("wellknown/jwks.json"))

    assert status == 200 and "max-age" in headers["Cache-Control"]
    header_b64, payload_b64, signature_b64 = token.split(".")
    header, claims = (json.loads(base64.urlsafe_b64decode(part + "==")) for part in (header_b64, payload_b64))
    [jwk] = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
    assert header["alg"] == "ES256" and jwk["crv"] == "P-256"
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="), "big"),
        int.from_bytes(base64.urlsafe_b64decode(jwk["y"] + "=="), "big"),
        ec.SECP256R1(),
    ).public_key()
    raw = base64.urlsafe_b64decode(signature_b64 + "==")
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    assert claims["typ"] == "access" and claims["iss"] == "assent" and claims["aud"] == "assent"
    assert 0 < claims["exp"] - claims["iat"] <= 900
    assert {"sub", "jti"} <= claims.keys()


def test_a_returning_wallet_signs_straight_in_and_never_onboards_twice(tables):
    wallet = new_wallet()
    onboarded(wallet, "back@example.com")

    status, _, body = signed_validation(wallet)

    assert status == 202
    data = body["data"]
    assert data["isOnboarded"] is True and data["account"] == wallet.address
    assert data["tempToken"]["tokenType"] == "jwt" and data["refreshToken"].startswith("rt_")
    assert data["isVerified"] is False
    assert len([i for i in _stored(tables, "UsersTable") if i["pk"].startswith("user#")]) == 1
    assert _stored(tables, "TempTokensTable") == []


def test_a_used_challenge_cannot_be_replayed(tables):
    """SECURITY.md 3."""
    wallet = new_wallet()
    _, _, body = request(wallet.address)
    signature = sign(wallet, body["data"]["message"])
    token = body["data"]["tempToken"]["token"]
    assert validate(signature, token).status == 202

    status, _, replay = validate(signature, token)

    assert status == 401 and replay["data"]["code"] == "SIGN_IN_FAILED"


def test_an_expired_challenge_still_in_the_table_is_refused(tables, clock):
    """SECURITY.md 4: TTL has not deleted it, yet it is refused."""
    wallet = new_wallet()
    _, _, body = request(wallet.address)
    [challenge] = _stored(tables, "ChallengesTable")
    tables["ChallengesTable"].update_item(
        Key={"pk": challenge["pk"]},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(clock()) - 1},
    )

    status, _, answer = validate(sign(wallet, body["data"]["message"]), body["data"]["tempToken"]["token"])

    assert status == 401 and answer["status"] == "error"
    assert len(_stored(tables, "ChallengesTable")) == 1  # not consumed by the refusal


def test_another_wallets_signature_is_refused(tables):
    """SECURITY.md 9: recovering *an* address is not success."""
    wallet, intruder = new_wallet(), new_wallet()
    _, _, body = request(wallet.address)

    status, _, answer = validate(sign(intruder, body["data"]["message"]), body["data"]["tempToken"]["token"])

    assert status == 401 and answer["data"]["code"] == "SIGN_IN_FAILED"
    assert _stored(tables, "TempTokensTable") == []


def test_a_message_altered_by_one_character_is_refused(tables):
    """SECURITY.md 7, 9."""
    wallet = new_wallet()
    _, _, body = request(wallet.address)
    message = body["data"]["message"]
    altered = message.replace("Version: 1", "Version: 2")

    status, _, _ = validate(sign(wallet, altered), body["data"]["tempToken"]["token"])

    assert status == 401


def test_another_requests_token_does_not_validate_this_signature(tables):
    """SECURITY.md 2: the challenge is bound to the temp token, not to what the client echoes."""
    wallet = new_wallet()
    _, _, first = request(wallet.address)
    _, _, second = request(wallet.address)

    status, _, _ = validate(sign(wallet, first["data"]["message"]), second["data"]["tempToken"]["token"])

    assert status == 401


@pytest.mark.parametrize(
    "signature",
    [
        "0x" + "00" * 65,
        "0x" + "ff" * 65,
        "0x" + "11" * 64 + "1d",  # recovery id 29
    ],
)
def test_signatures_that_recover_nothing_are_refused_with_4xx(tables, signature):
    """SECURITY.md 9."""
    _, _, body = request(new_wallet().address)

    status, _, answer = validate(signature, body["data"]["tempToken"]["token"])

    assert status == 401 and answer["status"] == "error"


@pytest.mark.parametrize("signature", ["0x1234", "not hex", "0x" + "zz" * 65, "0x" + "00" * 66])
def test_malformed_signatures_are_refused_with_400(tables, signature):
    """SECURITY.md 9, 27."""
    _, _, body = request(new_wallet().address)

    status, _, answer = validate(signature, body["data"]["tempToken"]["token"])

    assert status == 400 and answer["data"]["code"] == "INVALID_REQUEST"
    assert len(_stored(tables, "ChallengesTable")) == 1


def test_a_step_token_cannot_stand_in_for_the_other_step(tables):
    """SECURITY.md 22: the request's token does not onboard; the onboarding token does not validate."""
    wallet = new_wallet()
    _, _, requested = request(wallet.address)
    request_token = requested["data"]["tempToken"]["token"]
    _, _, validated = validate(sign(wallet, requested["data"]["message"]), request_token)
    onboard_token = validated["data"]["tempToken"]["token"]

    assert onboard(request_token, "a@example.com").status == 401
    assert validate(sign(wallet, requested["data"]["message"]), onboard_token).status == 401


def test_an_access_token_cannot_stand_in_for_a_step_token(tables):
    """SECURITY.md 22."""
    data = onboarded(new_wallet(), "typ@example.com")

    status, _, body = onboard(data["tempToken"]["token"], "other@example.com")

    assert status == 401 and body["data"]["code"] == "INVALID_TOKEN"


def test_an_onboarding_token_works_once(tables):
    """SECURITY.md 3."""
    status, _, body = signed_validation(new_wallet())
    token = body["data"]["tempToken"]["token"]
    assert onboard(token, "once@example.com").status == 200

    status, _, body = onboard(token, "twice@example.com")

    assert status == 401
    assert len([i for i in _stored(tables, "UsersTable") if i["pk"].startswith("user#")]) == 1


def test_an_address_is_verified_by_one_user_whatever_its_case(tables):
    """SECURITY.md 34: onboarding with a held address is no conflict (it would tell who has an account);
    verifying it is."""
    first = onboarded(new_wallet(), "taken@example.com")
    verify_account(first["tempToken"]["token"], codes_sent_to("taken@example.com")[0])
    _, _, body = signed_validation(new_wallet())

    status, _, answer = onboard(body["data"]["tempToken"]["token"], "TAKEN@example.com")
    verified = verify_account(answer["data"]["tempToken"]["token"], codes_sent_to("taken@example.com")[-1])

    assert status == 200 and answer["data"]["isVerified"] is False
    assert (verified.status, verified.body["data"]["code"]) == (409, "EMAIL_TAKEN")
    items = _stored(tables, "UsersTable")
    verified = [i["user_id"] for i in items if i["pk"].startswith("user#") and i["email_verified"]]
    claims = [(i["pk"], i["user_id"]) for i in items if i["pk"].startswith("email#")]
    assert len(verified) == 1 and claims == [("email#taken@example.com", verified[0])]


def test_a_wallet_onboarded_meanwhile_gets_409_not_a_second_user(tables):
    """SECURITY.md 8: one wallet, one user, enforced by the store."""
    wallet = new_wallet()
    _, _, first = signed_validation(wallet)
    _, _, second = signed_validation(wallet)  # two tabs, both before either onboards
    assert onboard(first["data"]["tempToken"]["token"], "tab1@example.com").status == 200

    status, _, answer = onboard(second["data"]["tempToken"]["token"], "tab2@example.com")

    assert status == 409 and answer["data"]["code"] == "WALLET_TAKEN"


@pytest.mark.parametrize(
    "body",
    [
        {"firstName": "A", "lastName": "B", "email": "a@example.com"},
        {"tempToken": "x", "firstName": "", "lastName": "B", "email": "a@example.com"},
        {"tempToken": "x", "firstName": "A", "lastName": "B", "email": "A" * 300},
    ],
)
def test_onboard_refuses_incomplete_bodies_in_pakts_envelope(tables, body):
    """SECURITY.md 27."""
    from tests.conftest import api_event, invoke

    status, _, answer = invoke("Web3OnboardFunction", api_event("pakt/web3_onboard.json", body=body))

    assert status == 400 and answer["status"] == "error" and "data" in answer


def test_onboard_refuses_an_address_that_is_not_an_email(tables):
    _, _, body = signed_validation(new_wallet())

    status, _, answer = onboard(body["data"]["tempToken"]["token"], "not-an-address")

    assert status == 400 and answer["message"].startswith("email")
    assert len(_stored(tables, "TempTokensTable")) == 1
