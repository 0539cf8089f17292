"""Hyphen's recovery key: a P-256 key the phone's cloud keychain syncs, registered with a live key's fresh
proof, that signs a new phone in and brings that phone's device key (SECURITY.md 35, 28)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Answer, api_event, invoke
from tests.handlers.hyphen import Device, bearer, challenge, keys, sign_in, signed_up

EMAIL = "ada@example.com"


def register(access: str, recovery: Device, proof: dict[str, Any] | None) -> Answer:
    body: dict[str, Any] = {
        "recoveryKey": {"publicKey": recovery.public_key, "cloudKey": {"accountName": "iCloud"}}
    }
    if proof is not None:
        body["proof"] = proof
    event = api_event("hyphen/register_recovery_key.json", body=body, headers=bearer(access))
    return invoke("RegisterRecoveryKeyFunction", event)


def proof_by(access: str, signer: Device) -> dict[str, str]:
    """A live key's answer to a `key.add` challenge: its signature of the challenge's message."""
    event = api_event("hyphen/addition_challenge.json", headers=bearer(access))
    issued = invoke("AdditionChallengeFunction", event).body
    return {
        "challengeData": issued["challengeData"],
        "publicKey": signer.public_key,
        "signature": signer.sign(issued["message"]),
    }


def respond_with_recovery_key(recovery: Device, new_phone: Device, signature: str | None = None) -> Answer:
    asked = challenge(recovery).body
    answer = {
        "signature": signature or recovery.sign(asked["challengeData"]),
        "newDeviceKey": {
            "type": "deviceKey",
            "publicKey": new_phone.public_key,
            "device": {"name": "New phone"},
        },
    }
    body = {"challengeType": "recoveryKey", "challengeData": asked["challengeData"], "recoveryKey": answer}
    return invoke("SignInRespondFunction", api_event("hyphen/signin_respond.json", body=body))


def test_hyphens_registration_without_a_proof_is_refused(tables):
    """SECURITY.md 35: an access token alone adds no key that can sign the account in."""
    access = signed_up(Device(), EMAIL)["credentials"]["accessToken"]

    answer = register(access, Device(key_type="recoveryKey"), proof=None)

    assert (answer.status, answer.error) == (403, "STEP_UP_REQUIRED")
    assert [k["type"] for k in keys(access).body["keys"]] == ["deviceKey"]


def test_a_recovery_key_signs_a_new_phone_in_and_registers_its_key(tables):
    phone, recovery, new_phone = Device(), Device(key_type="recoveryKey"), Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    registered = register(access, recovery, proof_by(access, phone))

    recovered = respond_with_recovery_key(recovery, new_phone)
    signed_in_again = sign_in(new_phone)

    assert registered.status == 201, registered.body
    assert {k["type"]: k["device"]["name"] for k in registered.body["keys"]}["recoveryKey"] == "iCloud"
    assert recovered.status == 200, recovered.body
    assert recovered.body["account"]["id"] == signed_in_again.body["account"]["id"]
    types = sorted(k["type"] for k in keys(access).body["keys"])
    assert types == ["deviceKey", "deviceKey", "recoveryKey"]


def test_a_wrong_recovery_key_signature_registers_nothing(tables):
    """SECURITY.md 28: a wrong signature of a real challenge counts against the recovery key."""
    phone, recovery, new_phone = Device(), Device(key_type="recoveryKey"), Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    register(access, recovery, proof_by(access, phone))

    answer = respond_with_recovery_key(recovery, new_phone, signature="ab" * 64)

    assert (answer.status, answer.error) == (401, "SIGN_IN_FAILED")
    assert sorted(k["type"] for k in keys(access).body["keys"]) == ["deviceKey", "recoveryKey"]
    (user,) = [i for i in tables["UsersTable"].scan()["Items"] if i.get("kind") == "user"]
    assert user["failures_recovery_key"] == 1
