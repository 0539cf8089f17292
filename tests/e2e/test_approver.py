"""The approver web app (web/) in a real Chromium, driven as a person uses it: a passkey made by
Chromium's own WebAuthn on a DevTools virtual authenticator, requests from a client back end shown as exactly
what they say, approved (with the number) and denied with the passkey, and what the client then reads.
axe-core checks each screen; the screenshots are written for the README when ASSENT_SCREENSHOTS names a
folder."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import ROOT, Gateway, start_gateway
from tests.e2e.test_passkeys_in_chromium import AUTHENTICATOR, CHROMIUM

pytestmark = pytest.mark.e2e

AXE = ROOT / "tests" / "e2e" / "js" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    started = start_gateway()
    yield started
    started.stop()


@pytest.fixture
def page(gateway: Gateway) -> Iterator[Page]:
    assert CHROMIUM, "no Chromium: `make` installs Debian's chromium; elsewhere install Chromium or Chrome"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        # The passkey origin of the local API is http://localhost:<port>, a secure context.
        yield _device(chromium.new_page(viewport=PHONE), gateway.url.replace("127.0.0.1", "localhost") + "/")
        chromium.close()


def _device(page: Page, url: str) -> Page:
    """A browser page with a platform authenticator of its own (a DevTools virtual one), opened at `url`."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    page.goto(url)
    return page


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("ASSENT_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"approver-{name}.png"), full_page=True)


def _accessible(page: Page) -> None:
    """No serious or critical violation of axe-core's rules (WCAG 2.1 A and AA among them) on the screen."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document)).violations.map(v => ({id: v.id, impact: v.impact}))"
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


def _client(gateway: Gateway) -> dict[str, str]:
    return {"Authorization": f"Bearer {gateway.api_key}"}


def test_a_person_signs_up_sees_two_requests_as_they_are_approves_one_with_its_number_and_denies_the_other(
    gateway: Gateway, page: Page
):
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    _accessible(page)
    _screenshot(page, "sign-in")

    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Name this device").fill("Ada's laptop")
    page.get_by_role("button", name="Create an account with a passkey").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your approval.")).to_be_visible()
    user_id = page.locator("#who").inner_text().rsplit(" ", 1)[1]

    # A client back end asks twice: a Keyless operation, and an UNLOQ request with number matching.
    operation_id = f"order-{uuid.uuid4().hex[:8]}"
    created = requests.post(
        f"{gateway.url}/v2/users/{user_id}/operations",
        json={"operationId": operation_id, "operationPayload": "Pay 25.00 EUR to Example Shop\nOrder 1001"},
        headers={"X-Api-Key": gateway.api_key},
        timeout=10,
    )
    assert created.status_code == 200, created.text
    code = f"pay{uuid.uuid4().hex[:6]}"
    action = {
        "code": code,
        "title": "Approve $amount?",
        "message": "Transfer $$amount to $payee",
        "approve": "Send",
        "deny": "Refuse",
        "number_matching": True,
    }
    assert requests.post(f"{gateway.url}/v1/actions", json=action, headers=_client(gateway), timeout=10).ok
    asked = requests.post(
        f"{gateway.url}/v1/authorize/{code}",
        json={
            "email": email,
            "reference": "tx-77",
            "variables": {"amount": "120", "payee": "Bob"},
            "wait": 0,
        },
        headers=_client(gateway),
        timeout=10,
    ).json()["result"]
    number = asked["number"]

    # Both appear without a reload, each as exactly what was asked.
    keyless = page.locator(".card", has_text="Pay 25.00 EUR to Example Shop")
    unloq = page.locator(".card", has_text="Approve 120?")
    expect(keyless).to_be_visible(timeout=15_000)
    expect(unloq).to_be_visible(timeout=15_000)
    expect(keyless.locator(".message")).to_have_text("Pay 25.00 EUR to Example Shop\nOrder 1001")
    expect(keyless.locator(".asker")).to_have_text("Asked by local development")
    expect(unloq.locator(".message")).to_have_text("Transfer $120 to Bob")
    expect(unloq.locator(".details")).to_contain_text("tx-77")
    expect(unloq.get_by_role("button", name="Send: Approve 120?")).to_be_visible()
    expect(unloq.get_by_label("Enter the number shown where you started this")).to_be_visible()
    expect(keyless.get_by_label("Enter the number shown where you started this")).to_be_hidden()
    _accessible(page)
    _screenshot(page, "approvals")

    unloq.get_by_label("Enter the number shown where you started this").fill(number)
    unloq.get_by_role("button", name="Send: Approve 120?").click()
    expect(unloq.locator(".outcome")).to_have_text("Approved.")
    keyless.get_by_role("button", name="Deny: local development asks for your approval").click()
    expect(keyless.locator(".outcome")).to_have_text("Denied.")
    _screenshot(page, "decided")

    # What the client reads.
    read = requests.get(f"{gateway.url}/v1/approvals/{asked['id']}", headers=_client(gateway), timeout=10)
    assert (read.status_code, read.json()["result"]["state"]) == (200, "approved")
    operation = requests.get(
        f"{gateway.url}/v2/operations/{operation_id}", headers={"X-Api-Key": gateway.api_key}, timeout=10
    ).json()
    assert (operation["state"], operation["result"]) == ("denied", False)


def test_a_wrong_number_is_explained_and_denies_the_request(gateway: Gateway, page: Page):
    email = f"bo-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_role("button", name="Create an account with a passkey").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    code = f"log{uuid.uuid4().hex[:6]}"
    action = {
        "code": code,
        "title": "Sign in to Shop?",
        "message": "From a new browser",
        "number_matching": True,
    }
    assert requests.post(f"{gateway.url}/v1/actions", json=action, headers=_client(gateway), timeout=10).ok
    asked = requests.post(
        f"{gateway.url}/v1/authorize/{code}",
        json={"email": email, "reference": "login", "wait": 0},
        headers=_client(gateway),
        timeout=10,
    ).json()["result"]
    wrong = f"{(int(asked['number']) - 9) % 90 + 10:02d}"
    card = page.locator(".card", has_text="Sign in to Shop?")
    expect(card).to_be_visible(timeout=15_000)

    card.get_by_label("Enter the number shown where you started this").fill(wrong)
    card.get_by_role("button", name="Approve: Sign in to Shop?").click()

    expect(card.locator(".outcome")).to_have_text(
        "Denied: the number you entered did not match. Start again where you asked."
    )
    read = requests.get(f"{gateway.url}/v1/approvals/{asked['id']}", headers=_client(gateway), timeout=10)
    assert (read.status_code, read.json()["error"]["code"]) == (403, "APPROVAL.DENIED")


def test_a_person_adds_a_passkey_and_removes_it_each_proved_by_a_passkey(gateway: Gateway, page: Page):
    """SECURITY.md 35 as a person meets it: the page asks a passkey to answer a fresh challenge before adding
    a key and before removing one."""
    page.get_by_label("E-mail address", exact=True).fill(f"cy-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("Name this device").fill("Cy's phone")
    page.get_by_role("button", name="Create an account with a passkey").click()
    keys = page.locator("#key-list .key")
    expect(keys).to_have_count(1)
    expect(keys.first).to_contain_text("Cy's phone")
    expect(keys.first).to_contain_text("Passkey, added")

    page.get_by_label("Name the new passkey").fill("Cy's security key")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#status")).to_have_text("Cy's security key is added.")
    expect(keys).to_have_count(2)
    _accessible(page)
    _screenshot(page, "keys")

    page.get_by_role("button", name="Remove Cy's security key").click()
    expect(page.locator("#status")).to_have_text("Cy's security key is removed; 0 of its sessions ended.")
    removed = keys.filter(has_text="Cy's security key")
    expect(removed).to_contain_text("removed")
    expect(removed.get_by_role("button")).to_have_count(0)


def test_a_new_device_is_let_in_from_the_signed_in_one_with_its_number(gateway: Gateway, page: Page):
    """SECURITY.md 44 as a person meets it: the new browser shows two digits; the signed-in one sees the
    request, takes the digits, and approves; the new browser then proves its own passkey and is signed in."""
    email = f"di-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Name this device").fill("Di's laptop")
    page.get_by_role("button", name="Create an account with a passkey").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()

    # The new device: a second browser, with an authenticator of its own.
    new = _device(page.context.browser.new_page(viewport=PHONE), page.url)  # type: ignore[union-attr]
    new.get_by_label("Your account's e-mail address").fill(email)
    new.get_by_label("Name this new device").fill("Di's phone")
    new.get_by_role("button", name="Ask my other device to let this one in").click()
    number = new.get_by_label("The number to enter")
    expect(number).to_have_text(re.compile(r"^[0-9]{2}$"))
    _screenshot(new, "new-device")

    card = page.locator(".card", has_text="A new device asks to sign in")
    expect(card).to_be_visible(timeout=15_000)
    expect(card.locator(".details")).to_contain_text("Di's phone")
    new.get_by_role("button", name="I approved it: continue").click()
    expect(new.locator("#status")).to_have_text("Not approved yet: approve it on your other device first.")
    card.get_by_label("Enter the number shown where you started this").fill(number.inner_text())
    card.get_by_role("button", name="Approve: A new device asks to sign in").click()
    expect(card.locator(".outcome")).to_have_text("Approved.")

    new.get_by_role("button", name="I approved it: continue").click()
    expect(new.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(new.locator("#who")).to_have_text(page.locator("#who").inner_text())
    expect(new.locator("#key-list .key")).to_have_count(2)


# An EIP-1193 provider as a wallet extension injects it, backed by a real ethers wallet (the UMD build).
_WALLET = """
(() => {
  const wallet = ethers.Wallet.createRandom();
  window.ethereum = {
    request: async ({ method, params }) => {
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [wallet.address];
      if (method === "personal_sign") return wallet.signMessage(ethers.getBytes(params[0]));
      throw new Error(`not offered: ${method}`);
    },
  };
})();
"""
ETHERS = ROOT / "tests" / "e2e" / "js" / "node_modules" / "ethers" / "dist" / "ethers.umd.min.js"


def test_a_new_wallet_signs_in_makes_its_account_and_confirms_its_address(gateway: Gateway, page: Page):
    page.context.add_init_script(path=str(ETHERS))
    page.context.add_init_script(_WALLET)
    page.reload()
    email = f"eve-{uuid.uuid4().hex[:8]}@example.com"

    page.get_by_role("button", name="Sign in with your wallet").click()
    expect(page.locator("#status")).to_have_text("This wallet has no account yet.")
    page.get_by_label("First name").fill("Eve")
    page.get_by_label("Last name").fill("Adams")
    page.get_by_label("E-mail address for your account").fill(email)
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("#status")).to_have_text("We e-mailed you a code: enter it to confirm your address.")
    mail = [m for m in requests.get(f"{gateway.url}/_local/outbox", timeout=10).json() if email in str(m)]
    code = re.search(r"\b(\d{6})\b", mail[-1]["body"])[1]  # type: ignore[index]
    page.get_by_label("The 6-digit code we e-mailed you").fill(code)
    page.get_by_role("button", name="Confirm my address").click()

    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    address = page.locator("#who").inner_text().rsplit(" ", 1)[1]
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", address)
    expect(page.locator("#key-list .key")).to_contain_text("Wallet")

    # The same wallet again, after signing out: straight in.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in with your wallet").click()
    expect(page.locator("#who")).to_have_text(f"Signed in: account {address}")


def test_an_account_is_recovered_on_a_new_device_and_the_old_one_approves_it_with_the_number(
    gateway: Gateway, page: Page
):
    """SECURITY.md 36 and 44: the recovery waits out its cooling-off in plain view of the old device, which
    approves it early with the number the new device shows."""
    email = f"fe-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_role("button", name="Create an account with a passkey").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()

    new = _device(page.context.browser.new_page(viewport=PHONE), page.url)  # type: ignore[union-attr]
    new.get_by_label("The e-mail address of the account to recover").fill(email)
    new.get_by_role("button", name="Recover my account on this device").click()
    expect(new.locator("#status")).to_have_text(
        "If this address has an account, we e-mailed it a recovery code."
    )
    mail = [m for m in requests.get(f"{gateway.url}/_local/outbox", timeout=10).json() if email in str(m)]
    code = re.search(r"\b(\d{6})\b", mail[-1]["body"])[1]  # type: ignore[index]
    new.get_by_label("The 6-digit recovery code we e-mailed you").fill(code)
    new.get_by_role("button", name="Confirm the recovery").click()
    number = new.get_by_label("The number a device of yours enters to approve")
    expect(number).to_have_text(re.compile(r"^[0-9]{2}$"))
    expect(new.locator("#cooling-off-text")).to_contain_text("will be recovered on this device at")
    new.get_by_role("button", name="Finish the recovery").click()
    expect(new.locator("#status")).to_have_text(
        "Not yet: the cooling-off has not ended, and no device approved it."
    )
    _screenshot(new, "recovery")

    card = page.locator(".card", has_text="Your account is being recovered")
    expect(card).to_be_visible(timeout=15_000)
    card.get_by_label("Enter the number shown where you started this").fill(number.inner_text())
    card.get_by_role("button", name="Approve: Your account is being recovered").click()
    expect(card.locator(".outcome")).to_have_text("Approved.")

    new.get_by_role("button", name="Finish the recovery").click()
    expect(new.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(new.locator("#who")).to_have_text(page.locator("#who").inner_text())
