"""`make smoke API_URL=… [API_KEY=…]`: the main flows, black-box over HTTP(S) against a deployed stack (or the
local API), with real signers: what a cloud team runs after `sam deploy` to know the stack works."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from eth_account import Account
from eth_account.messages import encode_defunct

from assent_tools.device import DeviceKey, approval_digest

# SES's mailbox simulator accepts mail even from an account in the SES sandbox, and delivers it nowhere.
DEFAULT_EMAIL_DOMAIN = "simulator.amazonses.com"
TIMEOUT_SECONDS = 30


class Skipped(Exception):
    """A step the stack's settings or the arguments leave out; the reason says which."""


class Failed(Exception):
    """A step that did not do what it should; the message says what came back."""


@dataclass
class Step:
    name: str
    outcome: str  # "ok", "skipped" or "FAILED"
    detail: str
    milliseconds: int


@dataclass
class Smoke:
    """One run's state: the stack's URL, the client's key, and what the steps made."""

    api_url: str
    api_key: str | None
    issuer: str
    audience: str
    email_domain: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    steps: list[Step] = field(default_factory=list)
    made: dict[str, Any] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)
    _http: requests.Session = field(default_factory=requests.Session)

    def email(self, who: str) -> str:
        return f"success+assent-smoke-{self.run_id}-{who}@{self.email_domain}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._http.request(method, self.api_url + path, timeout=TIMEOUT_SECONDS, **kwargs)

    def call(self, method: str, path: str, expect: int | tuple[int, ...], **kwargs: Any) -> Any:
        """The decoded body of a call that answered as expected; Failed otherwise."""
        answer = self.request(method, path, **kwargs)
        expected = expect if isinstance(expect, tuple) else (expect,)
        if answer.status_code not in expected:
            raise Failed(f"{method} {path} answered {answer.status_code}: {answer.text[:300]}")
        return answer.json() if answer.content else None

    def client_headers(self, scheme: str = "X-Api-Key") -> dict[str, str]:
        if not self.api_key:
            raise Skipped("needs a client's API key (API_KEY=…, from `assent-admin --stack <name> create`)")
        return (
            {"X-Api-Key": self.api_key}
            if scheme == "X-Api-Key"
            else {"Authorization": f"Bearer {self.api_key}"}
        )

    def verified(self, token: str) -> dict[str, Any]:
        """The claims of an access token, checked as a resource server checks them, against the JWKS."""
        jwks = self.call("GET", "/.well-known/jwks.json", 200)
        header = jwt.get_unverified_header(token)
        keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks).keys}
        if header.get("typ") != "at+jwt" or header.get("kid") not in keys:
            raise Failed(f"the access token's header {header} names no key of the JWKS ({sorted(keys)})")
        claims: dict[str, Any] = jwt.decode(
            token, key=keys[header["kid"]], algorithms=["ES256"], audience=self.audience, issuer=self.issuer
        )
        return claims

    def run(self, name: str, step: Callable[[Smoke], str]) -> None:
        started = time.monotonic()
        try:
            outcome, detail = "ok", step(self)
        except Skipped as reason:
            outcome, detail = "skipped", str(reason)
        except (Failed, requests.RequestException, jwt.PyJWTError, KeyError, ValueError) as error:
            outcome, detail = "FAILED", f"{type(error).__name__}: {error}"
        self.steps.append(Step(name, outcome, detail, int((time.monotonic() - started) * 1000)))


def jwks(smoke: Smoke) -> str:
    keys = smoke.call("GET", "/.well-known/jwks.json", 200)["keys"]
    if not keys or any(key.get("alg") != "ES256" for key in keys):
        raise Failed(f"the JWKS serves {keys}")
    return f"{len(keys)} ES256 key(s)"


def wallet_sign_in(smoke: Smoke) -> str:
    """Pakt: a new wallet signs the Sign-In with Ethereum message (eth-account's personal_sign), onboards."""
    wallet = Account.create()

    def signed_in() -> dict[str, Any]:
        requested = smoke.call("POST", "/v1/auth/web3/request", 200, json={"account": wallet.address})["data"]
        signature = wallet.sign_message(encode_defunct(text=requested["message"])).signature
        body = {"signedMessage": "0x" + bytes(signature).hex(), "tempToken": requested["tempToken"]["token"]}
        return dict(smoke.call("POST", "/v1/auth/web3/validate", (200, 202), json=body)["data"])

    first = signed_in()
    onboarding = {
        "tempToken": first["tempToken"]["token"],
        "firstName": "Smoke",
        "lastName": "Test",
        "email": smoke.email("wallet"),
    }
    onboarded = smoke.call("POST", "/v1/auth/web3/onboard", 200, json=onboarding)["data"]
    again = signed_in()
    claims = smoke.verified(again["tempToken"]["token"])
    smoke.made["wallet_refresh_token"] = again["refreshToken"]
    smoke.left.append(f"the wallet's user {claims['sub']} ({onboarding['email']})")
    if onboarded.get("isOnboarded") is False:
        raise Failed("onboarding answered isOnboarded false")
    return f"onboarded and signed in again as {claims['sub']}; the access token verifies against the JWKS"


def refresh(smoke: Smoke) -> str:
    token = smoke.made.get("wallet_refresh_token")
    if token is None:
        raise Skipped("no session: the wallet sign-in did not finish")
    credentials = smoke.call("POST", "/auth/v1/refresh", 200, json={"refreshToken": token})["credentials"]
    smoke.verified(credentials["accessToken"])
    # Used once: a replay is refused and ends the session (SECURITY.md 24), which is the run's sign-out.
    smoke.call("POST", "/auth/v1/refresh", 401, json={"refreshToken": token})
    smoke.call("POST", "/auth/v1/refresh", 401, json={"refreshToken": credentials["refreshToken"]})
    return "a new pair, whose access token verifies; the old token's replay is refused and ends the session"


def device_sign_in(smoke: Smoke) -> str:
    """Hyphen: a P-256 device key signs up (method "test") and signs in by answering a challenge."""
    device = DeviceKey()
    email = smoke.email("device")
    body = {
        "method": "test",
        "token": email,
        "chainName": "flow-testnet",
        "userKey": {"type": "deviceKey", "publicKey": device.public_key, "device": {"name": "Smoke test"}},
    }
    answer = smoke.request("POST", "/auth/v1/signup", json=body)
    if answer.status_code == 400 and answer.json().get("error") == "METHOD_NOT_ENABLED":
        raise Skipped("the stack does not allow sign-up by e-mail address alone (AllowTestSignIn=false)")
    if answer.status_code != 201:
        raise Failed(f"POST /auth/v1/signup answered {answer.status_code}: {answer.text[:300]}")
    user_id = answer.json()["account"]["id"]
    smoke.left.append(f"the device's user {user_id} ({email})")
    issued = smoke.call(
        "POST",
        "/auth/v1/signin/challenge",
        200,
        json={"challengeType": "deviceKey", "publicKey": device.public_key},
    )
    respond = {
        "challengeType": "deviceKey",
        "challengeData": issued["challengeData"],
        "deviceKey": {"signature": device.sign(issued["challengeData"])},
    }
    signed_in = smoke.call("POST", "/auth/v1/signin/challenge/respond", 200, json=respond)
    access = signed_in["credentials"]["accessToken"]
    if smoke.verified(access)["sub"] != user_id:
        raise Failed("the sign-in's access token is for another user")
    smoke.made.update(device=device, device_user=user_id, device_access=access)
    return f"signed up and in as {user_id}"


def operation_approved(smoke: Smoke) -> str:
    """Keyless: the client creates an operation; the device reads it as pending and approves it, signing the
    digest of what it shows; the client reads the decision."""
    headers = smoke.client_headers()
    if "device" not in smoke.made:
        raise Skipped("no device: the device sign-in did not run")
    device, access = smoke.made["device"], smoke.made["device_access"]
    operation_id = f"smoke-{smoke.run_id}"
    payload = f"Smoke test {smoke.run_id}: approve me"
    body = {"operationId": operation_id, "operationPayload": payload, "externalUserId": "smoke"}
    smoke.call("POST", f"/v2/users/{smoke.made['device_user']}/operations", 200, json=body, headers=headers)
    bearer = {"Authorization": f"Bearer {access}"}
    pending = smoke.call("GET", "/device/v1/operations/pending", 200, headers=bearer)
    [shown] = [item for item in pending["operations"] if item["payload"] == payload]
    decision = {
        "publicKey": device.public_key,
        "signature": device.sign(approval_digest("approve", shown)),
        "authType": "biom",
    }
    smoke.call(
        "POST", f"/device/v1/operations/{shown['requestId']}/approve", 200, json=decision, headers=bearer
    )
    read = smoke.call("GET", f"/v2/operations/{operation_id}", 200, headers=headers)
    if read["state"] != "approved":
        raise Failed(f"the client reads the operation as {read['state']}")
    return f"created, shown to the device, approved; the client reads it approved ({operation_id})"


def secure_action(smoke: Smoke) -> str:
    """Metasky: the client asks for a code e-mailed for an order; the order's state is pending."""
    headers = smoke.client_headers()
    if "device_user" not in smoke.made:
        raise Skipped("no user with an address: the device sign-in did not run")
    user_uuid = str(uuid.UUID(smoke.made["device_user"]))
    order = str(uuid.uuid4())
    path = f"/api/v1/user/{user_uuid}/orders/{order}/secure-action"
    smoke.call("POST", f"{path}/init", 200, headers=headers)
    state = smoke.call("GET", path, 200, headers=headers)["data"]
    if state["state"] != "pending":
        raise Failed(f"the secure action is {state['state']}")
    return f"a code e-mailed to {smoke.email('device')}; the order's secure action is pending"


def authorisation_action(smoke: Smoke) -> str:
    """UNLOQ: the client defines an action template and deletes it again."""
    headers = smoke.client_headers("Bearer")
    code = f"smoke-{smoke.run_id}"
    action = {"code": code, "title": "Smoke test", "message": "Approve the smoke test $id?"}
    smoke.call("POST", "/v1/actions", (200, 201), json=action, headers=headers)
    smoke.call("DELETE", f"/v1/actions/{code}", 200, headers=headers)
    smoke.call("GET", f"/v1/actions/{code}", 404, headers=headers)
    return f"defined and deleted ({code})"


STEPS: list[tuple[str, Callable[[Smoke], str]]] = [
    ("JWKS", jwks),
    ("wallet sign-in (Pakt)", wallet_sign_in),
    ("refresh", refresh),
    ("device sign-in (Hyphen)", device_sign_in),
    ("operation approved (Keyless)", operation_approved),
    ("secure action (Metasky)", secure_action),
    ("authorisation action (UNLOQ)", authorisation_action),
]


def run(
    api_url: str,
    api_key: str | None = None,
    *,
    issuer: str = "assent",
    audience: str = "assent",
    email_domain: str = DEFAULT_EMAIL_DOMAIN,
) -> Smoke:
    smoke = Smoke(api_url.rstrip("/"), api_key or None, issuer, audience, email_domain)
    for name, step in STEPS:
        smoke.run(name, step)
    return smoke


def report(smoke: Smoke) -> str:
    width = max(len(step.name) for step in smoke.steps)
    lines = [
        f"{step.name:<{width}}  {step.outcome:<7} {step.milliseconds:>6} ms  {step.detail}"
        for step in smoke.steps
    ]
    if smoke.left:
        lines.append(
            "Left in the stack (Assent has no call that deletes a user): " + "; ".join(smoke.left) + ". The "
            "operation and the secure action expire by TTL."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assent-smoke", description=__doc__)
    parser.add_argument(
        "api_url",
        help="the stack's ApiUrl output, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1/",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("API_KEY"),
        help="a client's API key (or the API_KEY variable, kept off the command line); without one, the "
        "client flows are skipped",
    )
    parser.add_argument("--issuer", default="assent", help="the stack's TokenIssuer")
    parser.add_argument("--audience", default="assent", help="the stack's TokenAudience")
    parser.add_argument(
        "--email-domain",
        default=DEFAULT_EMAIL_DOMAIN,
        help="where the users the run makes get their mail (default: SES's mailbox simulator)",
    )
    args = parser.parse_args(argv)
    smoke = run(
        args.api_url, args.api_key, issuer=args.issuer, audience=args.audience, email_domain=args.email_domain
    )
    print(report(smoke))
    return 1 if any(step.outcome == "FAILED" for step in smoke.steps) else 0


if __name__ == "__main__":
    sys.exit(main())
