"""Hyphen sign-up and challenge sign-in, driven by real P-256 keys (`cryptography`)."""

from __future__ import annotations

import json
import os

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

from tests.conftest import Answer, api_event, invoke
from tests.handlers.hyphen import Device, challenge, respond, sign_in, sign_up, signed_up


def test_sign_up_creates_the_account_and_answers_201_with_a_session(tables):
    device = Device()

    status, _, body = sign_up(device, "Ada@Example.com")

    assert status == 201
    account = body["account"]
    assert account["addresses"] == [] and account["deployed"] is False
    assert account["chainName"] == "flow-testnet"
    assert set(body["credentials"]) == {"accessToken", "refreshToken"}
    claims = jwt.decode(body["credentials"]["accessToken"], options={"verify_signature": False})
    assert claims["sub"] == account["id"]
    users = tables["UsersTable"]
    assert users.get_item(Key={"pk": f"user#{account['id']}"})["Item"]["email"] == "ada@example.com"
    key = users.get_item(Key={"pk": f"key#p256#{device.fingerprint}"})["Item"]
    assert key["user_id"] == account["id"] and key["public_key"] == device.public_key


def test_sign_up_queues_the_account_for_deployment_on_its_chain(tables):
    queue_url = os.environ["ASSENT_ACCOUNT_DEPLOYMENT_QUEUE_URL"]
    sqs = boto3.client("sqs")
    sqs.purge_queue(QueueUrl=queue_url)
    device = Device()

    account = signed_up(device, "ada@example.com")["account"]

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(message["Body"]) for message in messages]
    assert [(b["type"], b["userId"], b["chainName"], b["publicKey"]) for b in bodies] == [
        ("account.deploy", account["id"], "flow-testnet", device.public_key)
    ]


def test_a_key_signs_up_once_and_an_address_belongs_to_one_account(tables):
    device = Device()
    signed_up(device, "ada@example.com")

    again = sign_up(device, "bob@example.com")
    same_address = sign_up(Device(), "ADA@example.com")

    assert (again.status, again.error) == (409, "KEY_TAKEN")
    assert (same_address.status, same_address.error) == (409, "EMAIL_TAKEN")
    users = tables["UsersTable"].scan()["Items"]
    assert sum(1 for item in users if item["kind"] == "user") == 1


def test_the_test_method_is_refused_where_the_deployment_has_not_turned_it_on(tables, monkeypatch):
    from assent import wiring

    monkeypatch.setenv("ASSENT_TEST_SIGN_IN", "false")
    wiring.reset()

    status, _, body = sign_up(Device(), "ada@example.com")

    assert (status, body["error"]) == (400, "METHOD_NOT_ENABLED")
    assert tables["UsersTable"].scan()["Items"] == []


def test_a_registered_key_signs_in_by_signing_the_hex_challenge_string(tables):
    device = Device()
    account = signed_up(device, "ada@example.com")["account"]

    status, _, issued = challenge(device)
    answer = respond(device, issued["challengeData"])

    assert status == 200
    assert len(bytes.fromhex(issued["challengeData"])) == 32  # SECURITY.md 1
    assert answer.status == 200
    assert answer.body["account"]["id"] == account["id"]
    assert set(answer.body["credentials"]) == {"accessToken", "refreshToken"}


def test_a_passkey_signs_in_with_its_own_challenge_type(tables):
    passkey = Device(key_type="passKey")
    signed_up(passkey, "ada@example.com")

    status, _, body = sign_in(passkey)

    assert status == 200, body


def test_an_unknown_key_is_told_to_register(tables):
    """SECURITY.md 26: an unknown key and a revoked one get the same answer."""
    status, _, body = challenge(Device())

    assert (status, body["error"]) == (400, "PleaseRegisterKey")


def test_a_challenge_answers_once(tables):
    """SECURITY.md 3: a replayed answer to a consumed challenge is refused."""
    device = Device()
    signed_up(device, "ada@example.com")
    issued = challenge(device).body["challengeData"]
    signature = device.sign(issued)
    respond(device, issued, signature)

    status, _, body = respond(device, issued, signature)

    assert (status, body["error"]) == (401, "SIGN_IN_FAILED")


def test_an_expired_challenge_is_refused_though_still_stored(tables, clock):
    """SECURITY.md 4, 5: a challenge lives five minutes, whatever TTL has not yet deleted."""
    device = Device()
    signed_up(device, "ada@example.com")
    issued = challenge(device).body["challengeData"]
    clock.advance(301)

    status, _, body = respond(device, issued)

    assert (status, body["error"]) == (401, "SIGN_IN_FAILED")
    assert tables["ChallengesTable"].get_item(Key={"pk": f"signin#{issued}"}).get("Item") is not None


def test_another_keys_signature_does_not_answer_a_challenge(tables):
    device, other = Device(), Device()
    signed_up(device, "ada@example.com")
    signed_up(other, "bob@example.com")
    issued = challenge(device).body["challengeData"]

    status, _, body = respond(device, issued, other.sign(issued))

    assert (status, body["error"]) == (401, "SIGN_IN_FAILED")


def test_signing_the_decoded_challenge_bytes_is_not_the_documented_form(tables):
    device = Device()
    signed_up(device, "ada@example.com")
    issued = challenge(device).body["challengeData"]
    r, s = decode_dss_signature(device.private_key.sign(bytes.fromhex(issued), ec.ECDSA(SHA256())))

    status, _, _ = respond(device, issued, r.to_bytes(32, "big").hex() + s.to_bytes(32, "big").hex())

    assert status == 401


@pytest.mark.parametrize(
    ("signature", "why"),
    [("ab" * 63, "63 bytes"), ("zz" * 64, "not hex"), ("ab" * 65, "65 bytes")],
)
def test_a_malformed_signature_is_a_400(tables, signature, why):
    """SECURITY.md 10: a signature is exactly 64 bytes of r‖s."""
    device = Device()
    signed_up(device, "ada@example.com")
    issued = challenge(device).body["challengeData"]

    status, _, body = respond(device, issued, signature)

    assert (status, body["error"]) == (400, "INVALID_REQUEST"), why


def test_a_signature_with_r_zero_is_refused(tables):
    """SECURITY.md 10: 0 < r, s < n."""
    device = Device()
    signed_up(device, "ada@example.com")
    issued = challenge(device).body["challengeData"]

    status, _, _ = respond(device, issued, "00" * 32 + device.sign(issued)[64:])

    assert status == 401


def test_a_public_key_off_the_curve_is_a_400(tables):
    """SECURITY.md 10: a public key must be a point on P-256."""
    off_curve = "01" * 64
    event = api_event(
        "hyphen/signin_challenge.json", body={"challengeType": "deviceKey", "publicKey": off_curve}
    )

    status, _, body = invoke("SignInChallengeFunction", event)

    assert (status, body["error"]) == (400, "INVALID_KEY")


def test_a_key_with_the_wrong_challenge_type_is_told_to_register(tables):
    device = Device()
    signed_up(device, "ada@example.com")

    status, _, body = challenge(Device(private_key=device.private_key, key_type="passKey"))

    assert (status, body["error"]) == (400, "PleaseRegisterKey")


def test_the_identity_hyphens_sdks_send_with_a_challenge_must_be_the_keys_account(tables):
    """SECURITY.md 26: with `request: {method, token}`, as Hyphen's SDKs send it, a challenge is given only
    for a key of that verified address's account; another account's key looks unknown."""
    ada, grace = Device(), Device()
    signed_up(ada, "ada@example.com")
    signed_up(grace, "grace@example.com")

    def asked(device: Device, email: str) -> Answer:
        body = {
            "challengeType": "deviceKey",
            "publicKey": device.public_key,
            "request": {"method": "test", "token": email, "chainName": "flow-testnet"},
        }
        return invoke("SignInChallengeFunction", api_event("hyphen/signin_challenge.json", body=body))

    own, someone_elses = asked(ada, "ada@example.com"), asked(grace, "ada@example.com")

    assert own.status == 200, own.body
    assert (someone_elses.status, someone_elses.error) == (400, "PleaseRegisterKey")
