"""Hyphen's device flows through their handlers, driven by real P-256 signers (`cryptography`), for tests.

The approval digest is the device's (assent_tools/device.py), computed from what it shows, independently of
the layer's own code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from assent_tools.device import DeviceKey, approval_digest
from tests.conftest import Answer, Clock, api_event, invoke
from tests.handlers.pakt import codes_sent_to


@dataclass
class Device(DeviceKey):
    """A device with a P-256 key, as Hyphen's SDKs keep one in the secure enclave."""

    name: str = "Ada's phone"
    key_type: str = "deviceKey"

    def user_key(self) -> dict[str, Any]:
        return {
            "type": self.key_type,
            "publicKey": self.public_key,
            "device": {"name": self.name, "osName": "iOS"},
        }


@dataclass
class Wallet:
    """A wallet deciding as a device does: eth-account's EIP-191 `personal_sign` of the same text."""

    account: LocalAccount = field(default_factory=Account.create)

    @property
    def public_key(self) -> str:
        return str(self.account.address)

    def sign(self, text: str) -> str:
        return "0x" + self.account.sign_message(encode_defunct(text=text)).signature.hex().removeprefix("0x")


def _post(function_id: str, sample: str, body: Any, headers: dict[str, str | None] | None = None) -> Answer:
    return invoke(function_id, api_event(f"hyphen/{sample}.json", body=body, headers=headers))


def bearer(access_token: str) -> dict[str, str | None]:
    return {"Authorization": f"Bearer {access_token}"}


def sign_up(device: Device, email: str, *, method: str = "test", token: str | None = None) -> Answer:
    body = {
        "method": method,
        "token": token or email,
        "chainName": "flow-testnet",
        "userKey": device.user_key(),
    }
    return _post("SignUpFunction", "signup", body)


def challenge(device: Device) -> Answer:
    return _post(
        "SignInChallengeFunction",
        "signin_challenge",
        {"challengeType": device.key_type, "publicKey": device.public_key},
    )


def respond(device: Device, challenge_data: str, signature: str | None = None) -> Answer:
    holder = {"signature": signature or device.sign(challenge_data)}
    body = {"challengeType": device.key_type, "challengeData": challenge_data, device.key_type: holder}
    return _post("SignInRespondFunction", "signin_respond", body)


def sign_in(device: Device) -> Answer:
    status, _, body = challenge(device)
    assert status == 200, body
    return respond(device, body["challengeData"])


def signed_up(device: Device, email: str) -> dict[str, Any]:
    """Sign up and return the answer's body (account and credentials)."""
    status, _, body = sign_up(device, email)
    assert status == 201, body
    return body


def user_with_a_device(email: str) -> tuple[Device, str, str]:
    """A new user signed up with one device: the device, the user's id and an access token."""
    device = Device()
    body = signed_up(device, email)
    return device, body["account"]["id"], body["credentials"]["accessToken"]


def request_two_factor(device: Device, email: str) -> Answer:
    body = {
        "request": {"method": "test", "token": email, "chainName": "flow-testnet"},
        "userKey": device.user_key(),
    }
    return _post("TwoFactorFunction", "two_factor", body)


def finish_two_factor(request_id: str, signature: str) -> Answer:
    return _post(
        "TwoFactorFinishFunction",
        "two_factor_finish",
        {"twoFactorAuthRequestId": request_id, "signature": signature},
    )


def pending(access_token: str) -> Answer:
    return invoke(
        "PendingApprovalsFunction", api_event("hyphen/pending_approvals.json", headers=bearer(access_token))
    )


def decide(
    access_token: str,
    operation: dict[str, Any],
    device: Device | Wallet,
    decision: str = "approve",
    *,
    auth_type: str = "biom",
    signature: str | None = None,
    number: str | None = None,
) -> Answer:
    """Approve or deny an operation as listed, signing the digest the device (or wallet) computes from what
    it shows (and, for number matching, the number the person entered)."""
    request_id = operation["requestId"]
    digest = approval_digest(decision, operation, number)
    body: dict[str, Any] = {
        "publicKey": device.public_key,
        "signature": signature or device.sign(digest),
        "authType": auth_type,
    }
    if number is not None:
        body["number"] = number
    function_id = "ApproveOperationFunction" if decision == "approve" else "DenyOperationFunction"
    event = api_event(
        f"hyphen/{decision}_operation.json",
        path_parameters={"requestId": request_id},
        body=body,
        headers=bearer(access_token),
    )
    return invoke(function_id, event)


def keys(access_token: str) -> Answer:
    return invoke("ListKeysFunction", api_event("hyphen/list_keys.json", headers=bearer(access_token)))


def revocation_challenge(access_token: str, key_id: str) -> Answer:
    event = api_event(
        "hyphen/revocation_challenge.json", path_parameters={"keyId": key_id}, headers=bearer(access_token)
    )
    return invoke("RevocationChallengeFunction", event)


def revocation_proof(access_token: str, key_id: str, signer: Device | Wallet) -> dict[str, str]:
    """A fresh `key.revoke` challenge for `key_id`, its message signed by `signer`: the DELETE's body."""
    status, _, issued = revocation_challenge(access_token, key_id)
    assert status == 201, issued
    return {
        "challengeData": issued["challengeData"],
        "publicKey": signer.public_key,
        "signature": signer.sign(issued["message"]),
    }


def revoke_with(access_token: str, key_id: str, body: Any) -> Answer:
    """DELETE the key with this body (None: none)."""
    event = api_event(
        "hyphen/revoke_key.json", path_parameters={"keyId": key_id}, headers=bearer(access_token), body=body
    )
    return invoke("RevokeKeyFunction", event)


def revoke(access_token: str, key_id: str, signer: Device | Wallet) -> Answer:
    """Revoke a key as a device app does: a challenge, signed by one of the user's live keys (`signer`)."""
    return revoke_with(access_token, key_id, revocation_proof(access_token, key_id, signer))


def recover(device: Device, email: str) -> Answer:
    return _post("RecoverFunction", "recover", {"email": email, "userKey": device.user_key()})


def confirm_recovery(recovery_id: str, code: str, signature: str) -> Answer:
    return _post(
        "RecoverConfirmFunction",
        "recover_confirm",
        {"recoveryId": recovery_id, "code": code, "signature": signature},
    )


def finish_recovery(recovery_id: str, signature: str) -> Answer:
    return _post(
        "RecoverFinishFunction", "recover_finish", {"recoveryId": recovery_id, "signature": signature}
    )


def only_pending(access_token: str) -> dict[str, Any]:
    """The one operation waiting for the token's user."""
    status, _, body = pending(access_token)
    assert status == 200, body
    (operation,) = body["operations"]
    return operation


def approved_new_device(old: Device | Wallet, new: Device, email: str, access: str) -> tuple[str, str]:
    """A 2FA sign-in of `new`, approved from `old`: the request id and `new`'s signature that finishes it."""
    status, _, requested = request_two_factor(new, email)
    assert status == 201, requested
    shown = only_pending(access)
    assert decide(access, shown, old, number=requested["number"]).status == 200
    return requested["twoFactorAuth"]["id"], new.sign(requested["challengeData"])


def register_second_device(old: Device | Wallet, new: Device, email: str, access: str) -> dict:
    """A 2FA sign-in of `new`, approved from `old`; returns the finish answer's body."""
    status, _, body = finish_two_factor(*approved_new_device(old, new, email, access))
    assert status == 200, body
    return body


def recovered_to_cooling_off(new: Device, email: str) -> tuple[str, dict]:
    """A recovery of `email`'s account onto `new`, its e-mailed code confirmed: the recovery id and the
    confirmation (with the challenge `new` signs to finish once the cooling-off is over)."""
    started = recover(new, email).body
    code = codes_sent_to(email)[-1]
    status, _, confirmed = confirm_recovery(started["recoveryId"], code, new.sign(started["recoveryId"]))
    assert status == 202, confirmed
    return started["recoveryId"], confirmed


def recovery_past_cooling_off(email: str, clock: Clock) -> tuple[str, str]:
    """A recovery of `email`'s account (signed up on another device) onto a new device, confirmed, with the
    clock moved past the cooling-off: the recovery id and the new device's signature that finishes it."""
    replacement = Device(name="new phone")
    signed_up(Device(), email)
    recovery_id, confirmed = recovered_to_cooling_off(replacement, email)
    clock.advance(24 * 3600 + 1)  # the template's default RecoveryCoolingOffHours
    return recovery_id, replacement.sign(confirmed["challengeData"])
