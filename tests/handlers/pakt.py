"""The wallet sign-in flow through its handlers, driven by a real signer (eth-account), for tests."""

from __future__ import annotations

import re
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from assent_tools.store import sent_mail
from tests.conftest import Answer, api_event, invoke


def new_wallet() -> LocalAccount:
    return Account.create()


def sign(wallet: LocalAccount, message: str) -> str:
    return "0x" + bytes(wallet.sign_message(encode_defunct(text=message)).signature).hex()


def request(account: str, **extra: Any) -> Answer:
    return invoke(
        "Web3RequestFunction", api_event("pakt/web3_request.json", body={"account": account, **extra})
    )


def validate(signed_message: str, temp_token: str) -> Answer:
    body = {"signedMessage": signed_message, "tempToken": temp_token}
    return invoke("Web3ValidateFunction", api_event("pakt/web3_validate.json", body=body))


def onboard(temp_token: str, email: str, first: str = "Jack", last: str = "Mar") -> Answer:
    body = {"tempToken": temp_token, "firstName": first, "lastName": last, "email": email}
    return invoke("Web3OnboardFunction", api_event("pakt/web3_onboard.json", body=body))


def verify_account(access_token: str, code: str) -> Answer:
    body = {"tempToken": access_token, "token": code}
    return invoke("VerifyAccountFunction", api_event("pakt/verify_account.json", body=body))


def resend(access_token: str) -> Answer:
    body = {"tempToken": access_token}
    return invoke("ResendVerificationFunction", api_event("pakt/resend_verification.json", body=body))


def refresh(refresh_token: Any) -> Answer:
    return invoke("RefreshFunction", api_event("hyphen/refresh.json", body={"refreshToken": refresh_token}))


def signed_validation(wallet: LocalAccount) -> Answer:
    """request, then validate with the wallet's own signature of the returned message."""
    status, _, body = request(wallet.address)
    assert status == 200, body
    return validate(sign(wallet, body["data"]["message"]), body["data"]["tempToken"]["token"])


def onboarded(wallet: LocalAccount, email: str) -> dict[str, Any]:
    """A new user of this wallet; returns onboard's `data` (access token, refresh token, isVerified)."""
    status, _, body = signed_validation(wallet)
    assert status == 202 and body["data"]["isOnboarded"] is False, body
    status, _, body = onboard(body["data"]["tempToken"]["token"], email)
    assert status == 200, body
    data: dict[str, Any] = body["data"]
    return data


def codes_sent_to(email: str) -> list[str]:
    """The one-time codes e-mailed to an address, oldest first, read from moto's SES (mails without a
    code, such as notices, are skipped)."""
    return [
        code
        for mail in sent_mail("us-east-1")
        if mail["destinations"] and email in mail["destinations"]["ToAddresses"]
        for code in re.findall(r"\bcode is (\d{6})\b", mail["body"])
    ]
