"""WebAuthn passkeys through the handlers (SECURITY.md 40): registration options, a sign-up with a passkey's
registration response, and a sign-in with no username, answered by the passkey's assertion. Responses come
from a software authenticator built on `cryptography` (tests/webauthn_authenticator.py); Chromium's own
WebAuthn is driven in tests/e2e."""

from __future__ import annotations

import base64
import copy
import hashlib
import os
from typing import Any

import pytest

from tests.conftest import PARAMETERS, Answer, api_event, invoke
from tests.handlers import keyless
from tests.handlers.hyphen import (
    Device,
    approval_digest,
    bearer,
    decide,
    finish_two_factor,
    keys,
    only_pending,
    pending,
    request_two_factor,
    revocation_challenge,
    revoke_with,
    signed_up,
)
from tests.handlers.pakt import codes_sent_to
from tests.webauthn_authenticator import EDDSA, ES256, RS256, Authenticator, b64url

ORIGIN = PARAMETERS["PasskeyOrigins"]
RP_ID = PARAMETERS["PasskeyRpId"]
EMAIL = "ada@example.com"


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def registration_options(display_name: str | None = "Ada's laptop") -> Answer:
    body = {"displayName": display_name} if display_name else {}
    return invoke(
        "PasskeyRegistrationOptionsFunction",
        api_event("hyphen/passkey_registration_options.json", body=body),
    )


def registered(authenticator: Authenticator, **wrong: Any) -> dict[str, Any]:
    """A RegistrationResponseJSON for fresh registration options, as the browser makes it."""
    options = registration_options().body["options"]
    return authenticator.register(
        challenge=_decode(options["challenge"]), rp_id=options["rp"]["id"], origin=ORIGIN, **wrong
    )


def sign_up_with(credential: dict[str, Any], email: str = EMAIL) -> Answer:
    body = {
        "method": "test",
        "token": email,
        "chainName": "flow-testnet",
        "userKey": {"type": "passKey", "credential": credential, "device": {"name": "Ada's laptop"}},
    }
    return invoke("SignUpFunction", api_event("hyphen/signup.json", body=body))


def challenge(public_key: str | None = None) -> Answer:
    body: dict[str, Any] = {"challengeType": "passKey"}
    if public_key:
        body["publicKey"] = public_key
    return invoke("SignInChallengeFunction", api_event("hyphen/signin_challenge.json", body=body))


def respond(challenge_data: str, credential: dict[str, Any]) -> Answer:
    body = {
        "challengeType": "passKey",
        "challengeData": challenge_data,
        "passKey": {"credential": credential},
    }
    return invoke("SignInRespondFunction", api_event("hyphen/signin_respond.json", body=body))


def signed_in(authenticator: Authenticator, user_handle: bytes, **wrong: Any) -> Answer:
    """Sign in with no username: a challenge, answered by the passkey as navigator.credentials.get() does."""
    asked = challenge()
    options = asked.body["publicKey"]
    credential = authenticator.authenticate(
        challenge=_decode(options["challenge"]),
        rp_id=options["rpId"],
        origin=ORIGIN,
        user_handle=user_handle,
        **wrong,
    )
    return respond(asked.body["challengeData"], credential)


def _user_handle(tables: dict[str, Any]) -> bytes:
    """The user handle of the one passkey stored (what an authenticator keeps and returns)."""
    (key,) = [i for i in tables["UsersTable"].scan()["Items"] if i.get("kind") == "key" and "passkey" in i]
    return bytes(key["passkey"]["user_handle"].value)


def _user_handle_of(tables: dict[str, Any], authenticator: Authenticator) -> bytes:
    """The user handle the registration options gave this passkey: kept, until it is registered, with the key
    waiting for consent."""
    for item in tables["ChallengesTable"].scan()["Items"]:
        passkey = item.get("passkey")
        if passkey and bytes(passkey["credential_id"].value) == authenticator.credential_id:
            return bytes(passkey["user_handle"].value)
    raise AssertionError("no key waits with this credential")


def test_registration_options_ask_for_a_discoverable_user_verifying_passkey(tables):
    """SECURITY.md 40."""
    answer = registration_options()
    options = answer.body["options"]

    assert answer.status == 200, answer.body
    assert options["rp"] == {"id": RP_ID, "name": "Assent"}
    assert len(_decode(options["challenge"])) == 32 and len(_decode(options["user"]["id"])) == 16
    assert options["user"]["name"] == "Ada's laptop"
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -8, -257]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert registration_options().body["options"]["user"]["id"] != options["user"]["id"]


@pytest.mark.parametrize("algorithm", [ES256, EDDSA, RS256], ids=["ES256", "EdDSA", "RS256"])
def test_a_passkey_signs_up_then_signs_in_with_no_username(tables, algorithm):
    """SECURITY.md 40: the registration response makes the key; an assertion of a challenge that named no
    one signs its user in, and the key list shows the passkey."""
    authenticator = Authenticator(
        algorithm=algorithm, aaguid=bytes.fromhex("ea9b8d664d011d213ce4b6b48cb575d4")
    )

    created = sign_up_with(registered(authenticator))
    asked = challenge()
    options = asked.body["publicKey"]
    credential = authenticator.authenticate(
        challenge=_decode(options["challenge"]), rp_id=RP_ID, origin=ORIGIN, user_handle=_user_handle(tables)
    )
    answered = respond(asked.body["challengeData"], credential)
    _, _, listed = keys(answered.body["credentials"]["accessToken"])

    assert created.status == 201, created.body
    assert asked.status == 200, asked.body
    assert _decode(options["challenge"]) == bytes.fromhex(asked.body["challengeData"])
    assert (options["rpId"], options["userVerification"], options["allowCredentials"]) == (
        RP_ID,
        "required",
        [],
    )
    assert answered.status == 200, answered.body
    assert answered.body["account"]["id"] == created.body["account"]["id"]
    (key,) = listed["keys"]
    assert key["type"] == "passKey" and key["device"]["name"] == "Ada's laptop"
    assert key["passkey"]["aaguid"] == "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"
    assert (key["passkey"]["backupEligible"], key["passkey"]["backedUp"]) == (True, True)
    assert key["passkey"]["lastUsedAt"] is not None
    # An ES256 passkey goes by its x‖y, as a device key does; the others by their credential id's SHA-256.
    digest = hashlib.sha256(authenticator.credential_id).hexdigest()
    assert key["id"] == (authenticator.p256_xy if algorithm == ES256 else digest)


def test_a_challenge_for_a_named_passkey_lists_its_credential(tables):
    authenticator = Authenticator()
    sign_up_with(registered(authenticator))

    asked = challenge(authenticator.p256_xy)

    assert asked.status == 200, asked.body
    assert [c["id"] for c in asked.body["publicKey"]["allowCredentials"]] == [
        b64url(authenticator.credential_id)
    ]


def test_a_registration_answers_its_challenge_once(tables):
    """SECURITY.md 40 (and 3): a registration response replayed, even for another address, registers
    nothing."""
    authenticator = Authenticator()
    credential = registered(authenticator)

    first = sign_up_with(credential)
    again = sign_up_with(credential, email="mallory@example.com")

    assert first.status == 201, first.body
    assert (again.status, again.error) == (401, "SIGN_IN_FAILED")


def test_a_credential_id_belongs_to_one_user(tables):
    """SECURITY.md 40: the store refuses a second key with the same credential id, in the write that stores
    it."""
    original = Authenticator()
    same_id_other_key = Authenticator(credential_id=original.credential_id)

    first = sign_up_with(registered(original))
    second = sign_up_with(registered(same_id_other_key), email="mallory@example.com")

    assert first.status == 201, first.body
    assert (second.status, second.error) == (409, "KEY_TAKEN")
    users = [i for i in tables["UsersTable"].scan()["Items"] if i.get("kind") == "user"]
    assert len(users) == 1


@pytest.mark.parametrize(
    "wrong",
    [
        {"client_data": {"origin": "https://evil.example"}},
        {"rp_id_hash": b"\x00" * 32},
        {"client_data": {"type": "webauthn.get"}},
        {"flags": 0x41},  # present, not verified
    ],
    ids=["another origin", "another site's RP id", "not a creation", "no user verification"],
)
def test_a_registration_that_does_not_verify_makes_no_account(tables, wrong):
    """SECURITY.md 40."""
    answer = sign_up_with(registered(Authenticator(), **wrong))

    assert (answer.status, answer.error) == (401, "SIGN_IN_FAILED")
    assert [i for i in tables["UsersTable"].scan()["Items"] if i.get("kind") == "user"] == []


@pytest.mark.parametrize(
    "wrong",
    [
        {"client_data": {"origin": "https://evil.example"}},
        {"rp_id_hash": b"\x00" * 32},
        {"flags": 0x1C},  # verified, backed up, but the user was not present
        {"der": "long-form length"},
    ],
    ids=["another origin", "another site's RP id", "no user presence", "BER signature"],
)
def test_an_assertion_that_does_not_verify_signs_no_one_in(tables, wrong):
    """SECURITY.md 40: the assertion is checked in full (the unit tests walk every check against
    py_webauthn)."""
    authenticator = Authenticator()
    sign_up_with(registered(authenticator))

    answer = signed_in(authenticator, _user_handle(tables), **wrong)

    assert (answer.status, answer.error) == (401, "SIGN_IN_FAILED")


def test_a_cloned_passkey_is_refused_and_flagged(tables):
    """SECURITY.md 40: a security key counts its signatures; a copy that signs with a count already seen is
    refused, and the key list tells the user to remove the passkey."""
    original = Authenticator(counts=True, backup_eligible=False, backed_up=False)
    sign_up_with(registered(original))
    handle = _user_handle(tables)
    clone = copy.deepcopy(original)

    first = signed_in(original, handle)  # the original's count: 2
    cloned = signed_in(clone, handle)  # the copy's: 2 again
    _, _, listed = keys(first.body["credentials"]["accessToken"])

    assert first.status == 200, first.body
    assert (cloned.status, cloned.error) == (401, "SIGN_IN_FAILED")
    assert listed["keys"][0]["passkey"]["cloneSuspectedAt"] is not None


def test_an_assertion_naming_another_user_handle_is_refused(tables):
    """SECURITY.md 40: the user handle a passkey returns is the one its registration gave it."""
    authenticator = Authenticator()
    sign_up_with(registered(authenticator))

    answer = signed_in(authenticator, b"someone-else")

    assert (answer.status, answer.error) == (401, "SIGN_IN_FAILED")


def test_a_challenge_that_named_no_key_takes_no_raw_signature(tables):
    """SECURITY.md 40: an unnamed passkey challenge is answered by WebAuthn only."""
    asked = challenge()
    body = {
        "challengeType": "passKey",
        "challengeData": asked.body["challengeData"],
        "passKey": {"signature": "ab" * 64},
    }

    answer = invoke("SignInRespondFunction", api_event("hyphen/signin_respond.json", body=body))

    assert (answer.status, answer.error) == (401, "SIGN_IN_FAILED")


def _post(function_id: str, sample: str, body: dict[str, Any]) -> Answer:
    return invoke(function_id, api_event(f"hyphen/{sample}.json", body=body))


def _asserted(authenticator: Authenticator, hex_text: str, handle: bytes) -> dict[str, Any]:
    """The passkey's assertion of the bytes a hex value stands for (a 2FA's or recovery's challenge)."""
    return authenticator.authenticate(
        challenge=bytes.fromhex(hex_text), rp_id=RP_ID, origin=ORIGIN, user_handle=handle
    )


def test_a_new_device_with_a_passkey_signs_in_through_2fa(tables):
    """SECURITY.md 40 and 44: the new device registers a WebAuthn passkey, a registered device approves with
    the number it shows, and the passkey's assertion of the challenge's bytes finishes."""
    phone = Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    laptop = Authenticator()
    key = {"type": "passKey", "credential": registered(laptop), "device": {"name": "Ada's laptop"}}
    request = {"method": "test", "token": EMAIL, "chainName": "flow-testnet"}

    asked = _post("TwoFactorFunction", "two_factor", {"request": request, "userKey": key}).body
    assert decide(access, only_pending(access), phone, number=asked["number"]).status == 200
    handle = _user_handle_of(tables, laptop)
    wrong = _post(
        "TwoFactorFinishFunction",
        "two_factor_finish",
        {
            "twoFactorAuthRequestId": asked["twoFactorAuth"]["id"],
            "credential": _asserted(laptop, "ab" * 32, handle),
        },
    )
    finished = _post(
        "TwoFactorFinishFunction",
        "two_factor_finish",
        {
            "twoFactorAuthRequestId": asked["twoFactorAuth"]["id"],
            "credential": _asserted(laptop, asked["challengeData"], handle),
        },
    )
    _, _, listed = keys(finished.body["credentials"]["accessToken"])

    assert (wrong.status, wrong.error) == (401, "SIGN_IN_FAILED")
    assert finished.status == 200, finished.body
    assert sorted(k["type"] for k in listed["keys"]) == ["deviceKey", "passKey"]
    assert signed_in(laptop, handle).status == 200  # and, from then on, signs in with no username


def test_an_account_recovers_onto_a_passkey(tables, clock):
    """SECURITY.md 40: the recovery's new key is a WebAuthn passkey, which asserts the recovery id's bytes
    with the e-mailed code, and the finishing challenge's after the cooling-off."""
    signed_up(Device(), EMAIL)
    laptop = Authenticator()
    key = {"type": "passKey", "credential": registered(laptop)}

    started = _post("RecoverFunction", "recover", {"email": EMAIL, "userKey": key}).body
    handle = _user_handle_of(tables, laptop)
    confirmed = _post(
        "RecoverConfirmFunction",
        "recover_confirm",
        {
            "recoveryId": started["recoveryId"],
            "code": codes_sent_to(EMAIL)[-1],
            "credential": _asserted(laptop, started["recoveryId"], handle),
        },
    )
    clock.advance(24 * 3600 + 1)  # the template's default RecoveryCoolingOffHours
    finished = _post(
        "RecoverFinishFunction",
        "recover_finish",
        {
            "recoveryId": started["recoveryId"],
            "credential": _asserted(laptop, confirmed.body["challengeData"], handle),
        },
    )

    assert confirmed.status == 202, confirmed.body
    assert finished.status == 200, finished.body
    assert signed_in(laptop, handle).status == 200


def _decide(access: str, shown: dict[str, Any], authenticator: Authenticator, decision: str, **wrong: Any):
    """Approve or deny as a web page does: the passkey asserts the 32 bytes of the digest it computed from
    what it shows."""
    number = wrong.pop("number", None)
    digest = wrong.pop("digest", None) or approval_digest(decision, shown, number)
    credential = authenticator.authenticate(
        challenge=bytes.fromhex(digest), rp_id=RP_ID, origin=ORIGIN, user_handle=wrong.pop("handle"), **wrong
    )
    body = {"credential": credential, "authType": "biom", **({"number": number} if number else {})}
    event = api_event(
        f"hyphen/{decision}_operation.json",
        path_parameters={"requestId": shown["requestId"]},
        body=body,
        headers=bearer(access),
    )
    return invoke("ApproveOperationFunction" if decision == "approve" else "DenyOperationFunction", event)


def test_a_passkey_approves_one_operation_and_denies_another(tables, api_key):
    """SECURITY.md 40 and 6: the passkey's assertion of the decision's digest decides; its use is recorded."""
    authenticator = Authenticator()
    created = sign_up_with(registered(authenticator))
    access, user = created.body["credentials"]["accessToken"], created.body["account"]["id"]
    handle = _user_handle(tables)
    keyless.created(api_key, user, "order-1")
    keyless.created(api_key, user, "order-2")
    first, second = pending(access).body["operations"]

    approved = _decide(access, first, authenticator, "approve", handle=handle)
    denied = _decide(access, second, authenticator, "deny", handle=handle)

    assert approved.status == 200, approved.body
    assert denied.status == 200, denied.body
    states = {item["operation_id"]: item["state"] for item in keyless.stored(tables)}
    assert states == {"order-1": "approved", "order-2": "denied"}
    assert {item["decided_by"] for item in keyless.stored(tables)} == {f"p256#{authenticator.fingerprint}"}


def test_a_passkeys_assertion_of_another_decision_decides_nothing(tables, api_key):
    """SECURITY.md 40 and 6: an assertion of the deny digest does not approve."""
    authenticator = Authenticator()
    created = sign_up_with(registered(authenticator))
    access = created.body["credentials"]["accessToken"]
    keyless.created(api_key, created.body["account"]["id"])
    (shown,) = pending(access).body["operations"]

    answer = _decide(
        access,
        shown,
        authenticator,
        "approve",
        handle=_user_handle(tables),
        digest=approval_digest("deny", shown),
    )

    assert (answer.status, answer.error) == (403, "APPROVAL_REFUSED")
    assert [item["state"] for item in keyless.stored(tables)] == ["pending"]


def test_a_passkey_lets_a_new_device_in_then_proves_its_removal(tables):
    """SECURITY.md 40, 44 and 35: the passkey approves a new device (with the number it shows), and its
    assertion of a `key.revoke` challenge's 32 bytes is the fresh proof that removes that device's key."""
    authenticator = Authenticator()
    created = sign_up_with(registered(authenticator))
    access, handle = created.body["credentials"]["accessToken"], _user_handle(tables)
    phone = Device()
    asked = request_two_factor(phone, EMAIL).body
    (shown,) = pending(access).body["operations"]

    approved = _decide(access, shown, authenticator, "approve", handle=handle, number=asked["number"])
    finished = finish_two_factor(asked["twoFactorAuth"]["id"], phone.sign(asked["challengeData"]))
    issued = revocation_challenge(access, phone.public_key).body
    proof = authenticator.authenticate(
        challenge=bytes.fromhex(issued["challengeData"]), rp_id=RP_ID, origin=ORIGIN, user_handle=handle
    )
    revoked = revoke_with(
        access, phone.public_key, {"challengeData": issued["challengeData"], "credential": proof}
    )
    _, _, listed = keys(access)

    assert approved.status == 200, approved.body
    assert finished.status == 200, finished.body
    assert revoked.status == 200, revoked.body
    states = {key["type"]: key["revokedAt"] is not None for key in listed["keys"]}
    assert states == {"passKey": False, "deviceKey": True}


def test_a_passkey_cannot_prove_a_removal_with_another_challenges_bytes(tables):
    """SECURITY.md 40 and 35."""
    authenticator = Authenticator()
    created = sign_up_with(registered(authenticator))
    access, handle = created.body["credentials"]["accessToken"], _user_handle(tables)
    key_id = authenticator.p256_xy
    issued = revocation_challenge(access, key_id).body
    other = os.urandom(32)

    proof = authenticator.authenticate(challenge=other, rp_id=RP_ID, origin=ORIGIN, user_handle=handle)
    answer = revoke_with(access, key_id, {"challengeData": issued["challengeData"], "credential": proof})

    assert (answer.status, answer.error) == (403, "STEP_UP_REFUSED")


def _add_passkey(access: str, new: Authenticator, proof: dict[str, Any]) -> Answer:
    body = {"passkey": {"credential": registered(new), "device": {"name": "Ada's tablet"}}, "proof": proof}
    event = api_event("hyphen/add_passkey.json", body=body, headers=bearer(access))
    return invoke("AddPasskeyFunction", event)


def _addition_challenge(access: str) -> dict[str, Any]:
    answer = invoke(
        "AdditionChallengeFunction", api_event("hyphen/addition_challenge.json", headers=bearer(access))
    )
    assert answer.status == 201, answer.body
    return dict(answer.body)


def test_a_signed_in_user_adds_a_passkey_with_a_fresh_proof(tables):
    """SECURITY.md 40 and 35: the device key signs the `key.add` challenge's message; the new passkey is on
    the account and signs in."""
    phone = Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    tablet = Authenticator()
    issued = _addition_challenge(access)
    proof = {"challengeData": issued["challengeData"], "publicKey": phone.public_key}
    proof["signature"] = phone.sign(issued["message"])

    added = _add_passkey(access, tablet, proof)
    _, _, listed = keys(access)

    assert added.status == 201, added.body
    assert added.body["type"] == "passKey" and added.body["passkey"]["aaguid"]
    assert sorted(k["type"] for k in listed["keys"]) == ["deviceKey", "passKey"]
    assert signed_in(tablet, _user_handle(tables)).status == 200


def test_a_passkey_proves_the_addition_of_another(tables):
    """SECURITY.md 40: a passkey's assertion of the challenge's bytes is the proof, too."""
    laptop = Authenticator()
    created = sign_up_with(registered(laptop))
    access, handle = created.body["credentials"]["accessToken"], _user_handle(tables)
    issued = _addition_challenge(access)
    proof = {
        "challengeData": issued["challengeData"],
        "credential": _asserted(laptop, issued["challengeData"], handle),
    }

    added = _add_passkey(access, Authenticator(algorithm=EDDSA), proof)

    assert added.status == 201, added.body
    assert len(added.body["id"]) == 64  # an EdDSA passkey goes by its credential digest


def test_a_passkey_proves_the_registration_of_a_recovery_key(tables):
    """SECURITY.md 40 and 35: Hyphen's recovery key, added with a passkey's assertion as the proof."""
    laptop = Authenticator()
    access = sign_up_with(registered(laptop)).body["credentials"]["accessToken"]
    issued = _addition_challenge(access)
    proof = {
        "challengeData": issued["challengeData"],
        "credential": _asserted(laptop, issued["challengeData"], _user_handle(tables)),
    }
    body = {
        "recoveryKey": {
            "publicKey": Device(key_type="recoveryKey").public_key,
            "cloudKey": {"accountName": "iCloud"},
        },
        "proof": proof,
    }

    answer = invoke(
        "RegisterRecoveryKeyFunction",
        api_event("hyphen/register_recovery_key.json", body=body, headers=bearer(access)),
    )

    assert answer.status == 201, answer.body
    assert sorted(k["type"] for k in answer.body["keys"]) == ["passKey", "recoveryKey"]


def test_an_access_token_alone_adds_no_passkey(tables):
    """SECURITY.md 35: a proof by someone else's key, or of another challenge, adds nothing."""
    access = signed_up(Device(), EMAIL)["credentials"]["accessToken"]
    stranger = Device()
    issued = _addition_challenge(access)
    proof = {"challengeData": issued["challengeData"], "publicKey": stranger.public_key}
    proof["signature"] = stranger.sign(issued["message"])

    answer = _add_passkey(access, Authenticator(), proof)
    _, _, listed = keys(access)

    assert (answer.status, answer.error) == (403, "STEP_UP_REFUSED")
    assert [k["type"] for k in listed["keys"]] == ["deviceKey"]


def test_an_eddsa_passkey_is_removed_by_the_id_the_key_list_gives(tables):
    """SECURITY.md 35: removal works for every kind of key, here one named by its credential digest."""
    laptop, tablet = Authenticator(), Authenticator(algorithm=EDDSA)
    created = sign_up_with(registered(laptop))
    access, handle = created.body["credentials"]["accessToken"], _user_handle(tables)
    issued = _addition_challenge(access)
    challenge_data = issued["challengeData"]
    added = _add_passkey(
        access,
        tablet,
        {"challengeData": challenge_data, "credential": _asserted(laptop, challenge_data, handle)},
    ).body
    issued = revocation_challenge(access, added["id"]).body

    proof = {
        "challengeData": issued["challengeData"],
        "credential": _asserted(laptop, issued["challengeData"], handle),
    }
    removed = revoke_with(access, added["id"], proof)

    assert removed.status == 200, removed.body
    states = {key["id"]: key["revokedAt"] is not None for key in keys(access).body["keys"]}
    assert states == {laptop.p256_xy: False, added["id"]: True}
