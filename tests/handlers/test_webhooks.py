"""Webhooks (SECURITY.md 41): a client registers endpoints with its API key; each change of its operations
and secure actions becomes one event, delivered to each endpoint that wants it, signed as Standard Webhooks
says, verified here with the reference `standardwebhooks` package, and retried until delivered or
dead-lettered."""

from __future__ import annotations

import base64
import json
import ssl
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.conftest import another_client_key, invoke_handler
from tests.handlers import events
from tests.handlers.hyphen import Device, decide, signed_up, user_with_a_device
from tests.handlers.hyphen import pending as listed
from tests.handlers.keyless import backdate, cancel, created
from tests.handlers.webhooks import (
    create_webhook,
    delete_webhook,
    deliveries,
    list_webhooks,
    registered,
    replay,
    rotate,
)
from tests.webhook_receiver import Receiver

EMAIL = "ada@example.com"


@pytest.fixture
def loopback(monkeypatch) -> Iterator[None]:
    """Deliveries to 127.0.0.1 allowed, as the local API allows them (and only it: see the SSRF tests)."""
    from assent import wiring

    monkeypatch.setenv("ASSENT_WEBHOOKS_ALLOW_LOOPBACK", "true")
    wiring.reset()
    yield
    monkeypatch.delenv("ASSENT_WEBHOOKS_ALLOW_LOOPBACK")
    wiring.reset()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def ada(api_key) -> tuple[Device, str, str]:
    return user_with_a_device(EMAIL)


def test_an_endpoint_is_registered_with_a_secret_shown_once_and_stored_encrypted(api_key, tables, loopback):
    status, _, body = create_webhook(api_key, "https://hooks.example.com/assent", ["operation.approved"])

    assert status == 201, body
    assert body["id"].startswith("ep_") and body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 24
    assert (body["url"], body["events"], body["state"]) == (
        "https://hooks.example.com/assent",
        ["operation.approved"],
        "active",
    )
    listed = list_webhooks(api_key).body["webhooks"]
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    [item] = tables["WebhooksTable"].scan()["Items"]
    stored = str(item)
    assert body["secret"] not in stored and body["secret"].removeprefix("whsec_") not in stored
    ciphertext = bytes(item["secrets"][0]["ciphertext"].value)
    kms = boto3.client("kms")
    # Bound to its endpoint: the ciphertext opens only with the endpoint's id as its context.
    opened = kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext={"assent:webhook": body["id"]})
    assert opened["Plaintext"].decode() == body["secret"]
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext={"assent:webhook": "ep_" + "0" * 24})


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/assent",
        "https://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://user:pass@hooks.example.com/",
        "ftp://hooks.example.com/",
        "not a url",
    ],
)
def test_an_endpoint_that_is_not_public_https_is_refused(api_key, tables, url):
    """SECURITY.md 41: https only, and no private, loopback or link-local address named (a name's addresses
    are checked again at each delivery)."""
    status, _, body = create_webhook(api_key, url)

    assert (status, body["error"]["code"]) == (400, "INVALID_REQUEST"), body
    assert list_webhooks(api_key).body["webhooks"] == []


def test_unknown_event_types_and_too_many_endpoints_are_refused(api_key, tables):
    status, _, body = create_webhook(api_key, "https://hooks.example.com/", ["operation.exploded"])
    assert (status, body["error"]["code"]) == (400, "INVALID_REQUEST") and "events.0" in body["error"][
        "message"
    ]
    for n in range(10):
        registered(api_key, f"https://hooks.example.com/{n}")

    status, _, body = create_webhook(api_key, "https://hooks.example.com/10")

    assert (status, body["error"]["code"]) == (409, "WEBHOOK.TOO_MANY")


def test_a_client_sees_and_changes_only_its_own_endpoints(api_key, tables):
    """SECURITY.md 17: another client's endpoint does not exist for it."""
    endpoint = registered(api_key, "https://hooks.example.com/")
    other = another_client_key()

    assert list_webhooks(other).body == {"webhooks": []}
    for answer in (
        delete_webhook(other, endpoint["id"]),
        rotate(other, endpoint["id"]),
        deliveries(other, endpoint["id"]),
    ):
        assert (answer.status, answer.error) == (404, "WEBHOOK.NOT_FOUND")
    assert [w["id"] for w in list_webhooks(api_key).body["webhooks"]] == [endpoint["id"]]
    assert delete_webhook(api_key, endpoint["id"]).status == 204
    assert list_webhooks(api_key).body == {"webhooks": []}


def _types(receiver: Receiver, secret: str) -> list[str]:
    return [body["type"] for body in receiver.verified(secret)]


def test_each_change_of_an_operation_is_one_verified_event(api_key, ada, tables, clock, loopback, receiver):
    """Created, approved, denied, cancelled and expired: each arrives once, signed, with a thin body; the
    stream read again sends nothing twice."""
    device, user_id, access = ada
    endpoint = registered(api_key, receiver.url)
    sources = events.sources()
    for operation_id in ("approve-me", "deny-me", "cancel-me", "let-me-expire"):
        created(api_key, user_id, operation_id=operation_id)
    sources.drain()
    pending = {op["operationId"]: op for op in listed(access).body["operations"]}
    assert decide(access, pending["approve-me"], device).status == 200
    assert decide(access, pending["deny-me"], device, "deny").status == 200
    assert cancel(api_key, "cancel-me").status == 200
    sources.drain()
    # Each timer waits in its queue until its operation's deadline. One that comes early sets itself again;
    # at the deadline it expires what is still pending, and only that.
    timers = [m["body"] for m in events.queued("ExpiryQueue")]
    assert sorted(json.loads(t)["operationId"] for t in timers) == [
        "approve-me",
        "cancel-me",
        "deny-me",
        "let-me-expire",
    ]
    assert all(m["delayed"] for m in events.queued("ExpiryQueue"))
    invoke_handler("ExpiryFunction", _sqs_event(timers))
    assert len(events.queued("ExpiryQueue")) == 4 + 1  # the one still pending, set again
    backdate(tables, "let-me-expire", "expires_at")  # its deadline comes (SQS's delay is real time)
    invoke_handler("ExpiryFunction", _sqs_event(timers))
    sources.drain()

    bodies = receiver.verified(endpoint["secret"])
    seen = sorted((b["type"], b["data"]["operationId"]) for b in bodies)
    assert seen == sorted(
        [("operation.created", op) for op in ("approve-me", "deny-me", "cancel-me", "let-me-expire")]
        + [
            ("operation.approved", "approve-me"),
            ("operation.denied", "deny-me"),
            ("operation.cancelled", "cancel-me"),
            ("operation.expired", "let-me-expire"),
        ]
    )
    approved = next(b for b in bodies if b["type"] == "operation.approved")
    assert approved["data"] == {
        "clientId": approved["data"]["clientId"],
        "operationId": "approve-me",
        "userId": user_id,
        "state": "approved",
    }
    assert approved["data"]["clientId"].startswith("cl_")
    # No payload text in a webhook: the client reads it with GET /v2/operations/{id}.
    assert all("Pay 10 EUR" not in r.body.decode() for r in receiver.received)
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == 8

    # Read again from the start (a consumer restarted without its checkpoint): nothing is sent twice.
    sources.rewind()
    sources.drain()
    assert len(receiver.received) == 8


def _sqs_event(bodies: list[str]) -> dict[str, Any]:
    """The messages as the queue gives them to the function once they are due."""
    return {
        "Records": [
            {
                "messageId": f"timer-{n}",
                "receiptHandle": f"timer-{n}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ExpiryQueue",
                "awsRegion": "us-east-1",
            }
            for n, body in enumerate(bodies)
        ]
    }


@pytest.fixture
def quick_retries(monkeypatch, loopback) -> Iterator[None]:
    """Retries after 0 s, twice: the schedule's shape, without its hours (SQS's visibility is real time)."""
    from assent import wiring

    monkeypatch.setenv("ASSENT_WEBHOOK_RETRY_DELAYS", "0,0")
    wiring.reset()
    yield
    monkeypatch.delenv("ASSENT_WEBHOOK_RETRY_DELAYS")
    wiring.reset()


def test_a_failed_delivery_is_retried_with_the_same_id_until_it_succeeds(api_key, ada, tables, quick_retries):
    """Standard Webhooks: the same `webhook-id` on every attempt, so that a receiver can drop repeats."""
    _, user_id, _ = ada
    receiver = Receiver(statuses=[500, 500, 200]).start()
    try:
        endpoint = registered(api_key, receiver.url, ["operation.created"])
        sources = events.sources()
        created(api_key, user_id)

        sources.drain()
        sources.drain()  # nothing left to send

        assert [r.headers["webhook-id"] for r in receiver.received] == [
            receiver.received[0].headers["webhook-id"]
        ] * 3
        assert _types(receiver, endpoint["secret"]) == ["operation.created"] * 3
        [logged] = deliveries(api_key, endpoint["id"]).body["deliveries"]
        assert logged["id"] == receiver.received[0].headers["webhook-id"] and logged["state"] == "delivered"
        assert [a["status"] for a in logged["attempts"]] == [500, 500, 200]
        assert logged["payload"]["type"] == "operation.created"
    finally:
        receiver.stop()


def test_a_delivery_failing_every_attempt_is_dead_lettered_and_its_endpoint_marked(
    api_key, ada, tables, quick_retries
):
    _, user_id, _ = ada
    receiver = Receiver(statuses=[503]).start()
    try:
        endpoint = registered(api_key, receiver.url, ["operation.created"])
        sources = events.sources()
        created(api_key, user_id)

        sources.drain()

        assert len(receiver.received) == 3  # the first attempt and the schedule's two retries
        dead = [json.loads(m["body"]) for m in events.queued("DeliveryDeadLetterQueue")]
        [logged] = deliveries(api_key, endpoint["id"]).body["deliveries"]
        assert dead == [
            {"clientId": dead[0]["clientId"], "endpointId": endpoint["id"], "deliveryId": logged["id"]}
        ]
        assert logged["state"] == "failed" and [a["status"] for a in logged["attempts"]] == [503] * 3
        [listed] = list_webhooks(api_key).body["webhooks"]
        assert listed["state"] == "failing" and listed["failedAt"] is not None
    finally:
        receiver.stop()


def test_an_endpoint_answering_410_is_disabled_and_sent_nothing_more(api_key, ada, tables, loopback):
    _, user_id, _ = ada
    receiver = Receiver(statuses=[410]).start()
    try:
        endpoint = registered(api_key, receiver.url)
        sources = events.sources()
        created(api_key, user_id, operation_id="first")
        sources.drain()
        created(api_key, user_id, operation_id="second")
        sources.drain()

        assert len(receiver.received) == 1
        assert list_webhooks(api_key).body["webhooks"][0]["state"] == "disabled"
        [logged] = deliveries(api_key, endpoint["id"]).body["deliveries"]
        assert logged["state"] == "failed" and logged["attempts"][0]["status"] == 410
    finally:
        receiver.stop()


def test_after_a_rotation_both_secrets_sign_for_a_day(api_key, ada, tables, loopback, receiver, clock):
    _, user_id, _ = ada
    endpoint = registered(api_key, receiver.url, ["operation.created"])
    status, _, rotated = rotate(api_key, endpoint["id"])
    assert status == 200 and rotated["secret"] != endpoint["secret"]
    sources = events.sources()
    created(api_key, user_id, operation_id="during")
    sources.drain()

    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2
    assert (
        _types(receiver, endpoint["secret"]) == _types(receiver, rotated["secret"]) == ["operation.created"]
    )
    overlap_ends = rotated["previousSecretExpiresAt"]
    assert overlap_ends > rotated["createdAt"]

    # A day on (its end stored as passed: the reference library checks timestamps against the real clock).
    [item] = [i for i in tables["WebhooksTable"].scan()["Items"] if i["sk"].startswith("endpoint#")]
    assert item["secrets"][1]["until"] == int(clock()) + 86_400
    tables["WebhooksTable"].update_item(
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET secrets[1].#until = :passed",
        ExpressionAttributeNames={"#until": "until"},
        ExpressionAttributeValues={":passed": int(clock()) - 1},
    )
    receiver.received.clear()
    created(api_key, user_id, operation_id="after")
    sources.drain()

    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(Exception, match="No matching signature"):
        receiver.verified(endpoint["secret"])


def test_a_delivery_is_replayed_as_it_was(api_key, ada, tables, loopback, receiver):
    _, user_id, _ = ada
    endpoint = registered(api_key, receiver.url, ["operation.created"])
    sources = events.sources()
    created(api_key, user_id)
    sources.drain()
    [logged] = deliveries(api_key, endpoint["id"]).body["deliveries"]

    status, _, replayed = replay(api_key, endpoint["id"], logged["id"])
    sources.drain()

    assert status == 202 and replayed["id"] == logged["id"]
    assert [r.headers["webhook-id"] for r in receiver.received] == [logged["id"]] * 2
    assert receiver.received[0].body == receiver.received[1].body
    assert replay(api_key, endpoint["id"], "msg_" + "1" * 13 + "a" * 19).status == 404


def test_a_name_resolving_to_a_private_address_is_never_connected_to(
    api_key, ada, tables, quick_retries, monkeypatch
):
    """SECURITY.md 41: the name is checked at registration, and its addresses at every delivery (a name
    that turned private after it was registered, DNS rebinding); the refusal is logged and retried."""
    import socket

    _, user_id, _ = ada
    endpoint = registered(api_key, "https://hooks.example.com/assent", ["operation.created"])
    sources = events.sources()
    looked_up: list[str] = []

    def private_answer(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", private_answer)
    connected: list[Any] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    created(api_key, user_id)
    sources.drain()

    [logged] = deliveries(api_key, endpoint["id"]).body["deliveries"]
    assert looked_up == ["hooks.example.com"] * 3 and connected == []
    assert logged["state"] == "failed"
    assert all(a["status"] is None and "private" in a["error"] for a in logged["attempts"])


def test_a_redirect_is_not_followed(api_key, ada, tables, quick_retries):
    _, user_id, _ = ada
    elsewhere = Receiver().start()
    redirecting = Receiver(statuses=[307], location=elsewhere.url).start()
    try:
        endpoint = registered(api_key, redirecting.url, ["operation.created"])
        sources = events.sources()
        created(api_key, user_id)
        sources.drain()

        assert len(redirecting.received) == 3 and elsewhere.received == []
        [logged] = deliveries(api_key, endpoint["id"]).body["deliveries"]
        assert [a["status"] for a in logged["attempts"]] == [307] * 3
    finally:
        redirecting.stop()
        elsewhere.stop()


def test_a_consumer_failing_mid_batch_loses_and_doubles_nothing(api_key, tables, loopback, receiver):
    """A batch of three changes whose handling fails part-way, at each of its SQS calls in turn (a queue
    down, the function stopped), is retried from the failed change: every event arrives, each once."""
    from assent_tools.aws_calls import failing_call

    endpoint = registered(api_key, receiver.url, ["operation.created"])
    for step in range(1, 10):  # three events, each queued for its expiry, its delivery and its push
        receiver.received.clear()
        user_id = signed_up(Device(), f"step-{step}@example.com")["account"]["id"]
        sources = events.sources()
        for n in range(3):
            created(api_key, user_id, operation_id=f"step-{step}-{n}")
        with failing_call(step, service="sqs") as made:
            sources.poll()  # the changes function's batch, one of whose SQS calls fails
        sources.drain()

        assert len(made) >= step, f"only {len(made)} SQS calls: step {step} failed none"

        ids = sorted(body["data"]["operationId"] for body in receiver.verified(endpoint["secret"]))
        assert ids == [f"step-{step}-{n}" for n in range(3)], (step, made)


def test_a_secure_action_verified_or_locked_is_one_event(api_key, ada, tables, loopback, receiver):
    from tests.handlers.metasky import as_uuid, init, verify
    from tests.handlers.pakt import codes_sent_to

    _, user_id, _ = ada
    endpoint = registered(api_key, receiver.url, ["secure_action.verified", "secure_action.locked"])
    sources = events.sources()
    user_uuid = as_uuid(user_id)
    order_a, order_b = str(uuid.uuid4()), str(uuid.uuid4())
    first = init(api_key, user_uuid, order_a).body["data"]["secure_action_uuid"]
    assert verify(api_key, user_uuid, first, codes_sent_to(EMAIL)[-1], order=order_a).status == 200
    second = init(api_key, user_uuid, order_b).body["data"]["secure_action_uuid"]
    code = codes_sent_to(EMAIL)[-1]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        verify(api_key, user_uuid, second, wrong, order=order_b)
    sources.drain()

    bodies = receiver.verified(endpoint["secret"])
    assert sorted((b["type"], b["data"]["secureActionUuid"]) for b in bodies) == sorted(
        [("secure_action.verified", first), ("secure_action.locked", second)]
    )
    assert {b["data"]["orderUuid"] for b in bodies} == {order_a, order_b}


def _certificate_for(name: str, folder: Any) -> tuple[ssl.SSLContext, Any]:
    """A TLS context serving a certificate for `name`, and the file of the authority that signed it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (folder / "leaf.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    return context, folder / "ca.pem"


def test_an_https_delivery_is_made_to_the_checked_address_and_checks_the_hosts_certificate(
    api_key, ada, tables, quick_retries, monkeypatch, tmp_path
):
    """The connection goes to the address that was checked, while TLS still names the host (SNI) and checks
    its certificate: a certificate for the name passes; one for another name fails, and nothing is sent."""
    _, user_id, _ = ada
    context, authority = _certificate_for("localhost", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))  # the test's authority, trusted as a public one is
    right = Receiver(tls=context, name="localhost").start()
    wrong_name = Receiver(tls=context, name="127.0.0.1").start()  # its certificate names localhost only
    try:
        good = registered(api_key, right.url, ["operation.created"])
        bad = registered(api_key, wrong_name.url, ["operation.created"])
        sources = events.sources()
        created(api_key, user_id)
        sources.drain()

        assert [b["type"] for b in right.verified(good["secret"])] == ["operation.created"]
        assert wrong_name.received == []
        [logged] = deliveries(api_key, bad["id"]).body["deliveries"]
        assert logged["state"] == "failed" and all(a["status"] is None for a in logged["attempts"])
    finally:
        right.stop()
        wrong_name.stop()
