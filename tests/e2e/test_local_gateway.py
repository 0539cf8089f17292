"""The local API over real HTTP: routes from template.yaml, SAM's events, the serialised store, the tools."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import boto3
import pytest
import requests

from tests.e2e.conftest import ROOT, Gateway, race, signed_up, start_gateway
from tests.handlers.hyphen import Device

pytestmark = pytest.mark.e2e

USER = "00C0FFEE00C0FFEE00C0FFEE00C0FFEE"
JSON = {"Content-Type": "application/json"}


def create(
    gateway: Gateway, operation_id: str, api_key: str | None = None, user: str = USER, **fields: str
) -> requests.Response:
    return requests.post(
        f"{gateway.url}/v2/users/{user}/operations",
        json={"operationId": operation_id, **fields},
        headers={"X-Api-Key": api_key or gateway.api_key},
        timeout=10,
    )


def test_a_client_creates_lists_and_reads_an_operation(gateway):
    operation_id = f"order-{uuid.uuid4().hex[:8]}"

    created = create(gateway, operation_id, operationPayload="Pay 25 EUR", externalUserId="c-1")
    listed = requests.get(
        f"{gateway.url}/v2/users/{USER}/operations/pending",
        headers={"X-Api-Key": gateway.api_key},
        timeout=10,
    )
    read = requests.get(
        f"{gateway.url}/v2/operations/{operation_id}",
        headers={"Authorization": f"Bearer {gateway.api_key}"},
        timeout=10,
    )

    assert (created.status_code, created.json()) == (200, {"success": True})
    assert {
        "operationId": operation_id,
        "operationPayload": "Pay 25 EUR",
        "externalUserId": "c-1",
        "authType": None,
    } in listed.json()
    assert read.status_code == 200
    assert read.json()["state"] == "pending"
    assert read.json()["operationPayload"] == "Pay 25 EUR"


def test_a_duplicate_operation_id_is_a_conflict_over_http(gateway):
    operation_id = f"dup-{uuid.uuid4().hex[:8]}"
    create(gateway, operation_id)

    again = create(gateway, operation_id)

    assert again.status_code == 409
    assert again.json()["success"] is False


def test_simultaneous_creates_of_one_operation_id_give_exactly_one_success(gateway):
    """The store's conditional write decides, under real concurrency, in every trial (SECURITY.md 3, 14)."""
    # 5 trials, not TRIALS, each for a user of its own: a client may send one user 5 requests a minute.
    trials, contenders = 5, 12
    for _ in range(trials):
        operation_id, user = f"race-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex.upper()
        statuses = race(
            contenders,
            lambda operation_id=operation_id, user=user: create(gateway, operation_id, user=user).status_code,
        )

        assert sorted(statuses) == [200] + [409] * (contenders - 1)


def test_malformed_json_gets_400_in_keyless_shape(gateway):
    answer = requests.post(
        f"{gateway.url}/v2/users/{USER}/operations",
        data="{not json",
        headers={**JSON, "X-Api-Key": gateway.api_key},
        timeout=10,
    )

    assert answer.status_code == 400
    assert answer.json()["success"] is False


def test_an_unknown_route_answers_as_api_gateway_does(gateway):
    answer = requests.get(f"{gateway.url}/v2/nothing/here", timeout=10)

    assert (answer.status_code, answer.json()) == (403, {"message": "Missing Authentication Token"})


def test_cors_preflight_is_answered_and_answers_carry_the_origin(gateway):
    preflight = requests.options(
        f"{gateway.url}/v2/users/{USER}/operations",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    answer = requests.get(
        f"{gateway.url}/v2/operations/anything",
        headers={"Origin": "https://app.example", "X-Api-Key": gateway.api_key},
        timeout=10,
    )

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Api-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_mail_sent_through_ses_is_in_the_outbox_and_printed_with_its_codes_masked(gateway):
    """SECURITY.md 43: the terminal, which screen shares and logs see, shows no one-time code; the outbox, on
    the loopback interface only, has the mail whole."""
    ses = boto3.client(
        "ses",
        endpoint_url=gateway.store_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    ses.verify_email_identity(EmailAddress="no-reply@assent.test")
    subject = f"Your code x{uuid.uuid4().hex[:6]}"

    ses.send_email(
        Source="no-reply@assent.test",
        Destination={"ToAddresses": ["jane@example.com"]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "123456"}}},
    )

    outbox = requests.get(f"{gateway.url}/_local/outbox", timeout=10).json()
    [mail] = [m for m in outbox if m["subject"] == subject]
    assert mail["destinations"]["ToAddresses"] == ["jane@example.com"] and mail["body"] == "123456"
    [printed] = [line for line in gateway.output if subject in line and line.startswith("mail sent:")]
    assert "123456" not in printed and "######" in printed


def test_a_foreign_host_is_refused(gateway):
    """SECURITY.md 43: a page whose domain was rebound to 127.0.0.1 sends its own name as Host; it reads
    nothing, neither the outbox nor the API."""
    port = gateway.url.rsplit(":", 1)[1]

    def get(path: str, host: str) -> int:
        return requests.get(f"{gateway.url}{path}", headers={"Host": host}, timeout=10).status_code

    assert get("/_local/outbox", f"attacker.example:{port}") == 403
    assert get("/.well-known/jwks.json", f"attacker.example:{port}") == 403
    assert get("/_local/outbox", "127.0.0.1:1") == 403  # another port is another origin
    assert get("/_local/outbox", f"localhost:{port}") == 200
    assert get("/.well-known/jwks.json", f"127.0.0.1:{port}") == 200


def test_the_store_listens_on_loopback_only_and_grants_no_cors(gateway):
    """SECURITY.md 43: whatever `--host` the API is given, the store holding its tables, keys and mail is on
    127.0.0.1, and answers no browser's preflight."""
    preflight = requests.options(
        gateway.store_url,
        headers={"Origin": "https://attacker.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )

    assert gateway.store_url.startswith("http://127.0.0.1:")
    assert "Access-Control-Allow-Origin" not in preflight.headers


def admin(gateway: Gateway, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assent_tools.admin", "--local", gateway.store_url, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_admin_creates_lists_and_revokes_a_client(gateway):
    created = admin(gateway, "create", "--name", "shop back end")
    issued = json.loads(created.stdout)

    usable = create(gateway, f"adm-{uuid.uuid4().hex[:8]}", api_key=issued["api_key"])
    listed = admin(gateway, "list")
    revoked = admin(gateway, "revoke", issued["client_id"])
    refused = create(gateway, f"adm-{uuid.uuid4().hex[:8]}", api_key=issued["api_key"])
    again = admin(gateway, "revoke", issued["client_id"])

    assert created.returncode == 0 and issued["api_key"].startswith("ak_")
    assert usable.status_code == 200
    assert issued["client_id"] in listed.stdout
    assert issued["api_key"] not in listed.stdout
    assert revoked.returncode == 0
    assert refused.status_code == 401
    assert again.returncode == 1


def test_admin_unlocks_a_locked_out_factor(gateway):
    """SECURITY.md 28: an operator's reset, for a user who asks support after a lock-out."""
    phone = Device()
    user_id = signed_up(gateway, phone.user_key(), f"unlock-{uuid.uuid4().hex[:8]}@example.com")["account"][
        "id"
    ]

    def sign_in(signer: Device) -> int:
        body = {"challengeType": "deviceKey", "publicKey": phone.public_key}
        issued = requests.post(f"{gateway.url}/auth/v1/signin/challenge", json=body, timeout=10).json()
        data = issued["challengeData"]
        answer = {
            "challengeType": "deviceKey",
            "challengeData": data,
            "deviceKey": {"signature": signer.sign(data)},
        }
        return requests.post(
            f"{gateway.url}/auth/v1/signin/challenge/respond", json=answer, timeout=10
        ).status_code

    failures = [sign_in(Device()) for _ in range(6)]
    locked = sign_in(phone)  # within the sixth failure's two seconds
    unlocked = admin(gateway, "unlock", user_id, "--factor", "device_key")
    unknown = admin(gateway, "unlock", "00" * 16)

    assert failures == [401] * 6 and locked == 429
    assert unlocked.returncode == 0 and json.loads(unlocked.stdout)["unlocked"] == ["device_key"]
    assert sign_in(phone) == 200
    assert unknown.returncode == 1


def test_a_crashing_handler_gets_502_and_ctrl_c_stops_the_gateway_cleanly():
    crashing = start_gateway(ROOT / "tests" / "fixtures" / "crash" / "template.yaml")
    try:
        answer = requests.get(f"{crashing.url}/boom", timeout=10)
    finally:
        exit_code = crashing.stop()

    assert (answer.status_code, answer.json()) == (502, {"message": "Internal server error"})
    assert exit_code == 0
    assert "Assent local API stopped." in "".join(crashing.output)


def test_the_gateway_serves_the_api_document_and_a_swagger_page(gateway):
    document = requests.get(gateway.url + "/_local/openapi.json", timeout=10)
    page = requests.get(gateway.url + "/_local/docs", timeout=10)

    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert document.status_code == 200
    assert document.json() == {**committed, "servers": [{"url": gateway.url}]}
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    # Swagger UI itself is inline (no CDN), with the document it shows.
    assert "SwaggerUIBundle" in page.text and '"/v2/users/{userId}/operations"' in page.text
