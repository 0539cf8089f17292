"""Passkeys in a real browser (SECURITY.md 40): Playwright drives Debian's Chromium, whose own WebAuthn stack
makes and uses the passkey on a DevTools virtual authenticator (CTAP2, internal transport, resident keys, user
verification), on a page the local gateway serves at http://localhost:<port>, its passkey origin."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from playwright.sync_api import CDPSession, Page, sync_playwright

from tests.e2e.conftest import ROOT, Gateway, start_gateway

JS = ROOT / "tests" / "e2e" / "js"
# `make` installs Debian's chromium where no Chromium or Chrome is found.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@dataclass
class Browser:
    page: Page
    devtools: CDPSession
    authenticator: str

    def run(self, script: str, *arguments: Any) -> Any:
        return self.page.evaluate(script, list(arguments))


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    started = start_gateway()
    yield started
    started.stop()


@pytest.fixture
def browser(gateway: Gateway) -> Iterator[Browser]:
    assert CHROMIUM, "no Chromium: `make` installs Debian's chromium; elsewhere install Chromium or Chrome"
    origin = gateway.url.replace("127.0.0.1", "localhost")  # passkeys need a secure context: localhost is one
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        page = chromium.new_page()
        page.goto(f"{origin}/_local/docs")
        page.add_script_tag(path=JS / "approval_digest.js")
        page.add_script_tag(path=JS / "passkey_page.js")
        devtools = page.context.new_cdp_session(page)
        devtools.send("WebAuthn.enable", {"enableUI": False})
        added = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        yield Browser(page, devtools, added["authenticatorId"])
        chromium.close()


def _create_operation(gateway: Gateway, user_id: str, operation_id: str) -> None:
    answer = requests.post(
        f"{gateway.url}/v2/users/{user_id}/operations",
        json={"operationId": operation_id, "operationPayload": f"Pay 10 EUR ({operation_id})"},
        headers={"X-Api-Key": gateway.api_key},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def _state(gateway: Gateway, operation_id: str) -> str:
    answer = requests.get(
        f"{gateway.url}/v2/operations/{operation_id}", headers={"X-Api-Key": gateway.api_key}, timeout=10
    )
    return str(answer.json()["state"])


def test_a_browser_passkey_signs_up_signs_in_with_no_username_approves_and_denies(gateway, browser):
    """SECURITY.md 40: every step is Chromium's WebAuthn with the JSON the API documents."""
    email = f"chromium-{uuid.uuid4().hex[:8]}@example.com"

    signed_up = browser.run("([email]) => passkeyPage.signUp(email, 'Chromium')", email)
    signed_in = browser.run("() => passkeyPage.signIn()")
    user_id, token = signed_in["body"]["account"]["id"], signed_in["body"]["credentials"]["accessToken"]
    pay, refuse = f"pay-{uuid.uuid4().hex[:8]}", f"refuse-{uuid.uuid4().hex[:8]}"
    _create_operation(gateway, user_id, pay)
    _create_operation(gateway, user_id, refuse)
    listed = browser.run("([token]) => passkeyPage.pending(token)", token)["body"]["operations"]
    shown = {op["operationId"]: op for op in listed}
    approved = browser.run("([t, op]) => passkeyPage.decide(t, op, 'approve')", token, shown[pay])
    denied = browser.run("([t, op]) => passkeyPage.decide(t, op, 'deny')", token, shown[refuse])

    assert signed_up["status"] == 201, signed_up
    assert signed_in["status"] == 200, signed_in
    assert user_id == signed_up["body"]["account"]["id"]
    assert (approved["status"], denied["status"]) == (200, 200), (approved, denied)
    assert (_state(gateway, pay), _state(gateway, refuse)) == ("approved", "denied")


def test_a_cloned_authenticator_is_refused(gateway, browser):
    """SECURITY.md 40: the passkey, copied with its counter as it stood, is put back after the original has
    signed again; its next sign-in counts no higher than one seen already, and is refused."""
    email = f"clone-{uuid.uuid4().hex[:8]}@example.com"
    assert browser.run("([email]) => passkeyPage.signUp(email, 'Chromium')", email)["status"] == 201
    query = {"authenticatorId": browser.authenticator}
    (copied,) = browser.devtools.send("WebAuthn.getCredentials", query)["credentials"]

    original = browser.run("() => passkeyPage.signIn()")
    browser.devtools.send("WebAuthn.removeCredential", {**query, "credentialId": copied["credentialId"]})
    browser.devtools.send("WebAuthn.addCredential", {**query, "credential": copied})
    cloned = browser.run("() => passkeyPage.signIn()")

    assert original["status"] == 200, original
    assert (cloned["status"], cloned["body"]["error"]) == (401, "SIGN_IN_FAILED")
