"""AWS calls per endpoint, counted through botocore's events (not timed). The README's table quotes these."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from assent_tools.aws_calls import counted_calls
from tests.handlers import hyphen
from tests.handlers.keyless import create, get, pending
from tests.handlers.pakt import (
    codes_sent_to,
    new_wallet,
    onboard,
    onboarded,
    refresh,
    request,
    sign,
    signed_validation,
    validate,
    verify_account,
)


@pytest.fixture
def aws_calls(tables) -> Iterator[Counter[str]]:
    with counted_calls() as calls:
        yield calls


def test_each_operations_endpoint_makes_two_dynamodb_calls(api_key, aws_calls):
    """One GetItem authenticates the client; one write or read does the work (see the README's table).
    Creating is one transaction: the operation and the two rate-limit counters (SECURITY.md 18)."""
    create(api_key, {"operationId": "counted"})
    assert aws_calls == Counter({"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1})

    aws_calls.clear()
    pending(api_key)
    assert aws_calls == Counter({"dynamodb.GetItem": 1, "dynamodb.Query": 1})

    aws_calls.clear()
    get(api_key, "counted")
    assert aws_calls == Counter({"dynamodb.GetItem": 2})


def test_wallet_sign_in_calls_per_endpoint_in_a_warm_container(aws_calls):
    """The public key is fetched from KMS once per container; after that, verifying a token costs no call."""
    onboarded(new_wallet(), "warm-up@example.com")
    wallet = new_wallet()

    aws_calls.clear()
    _, _, requested = request(wallet.address)
    # The challenge, stored under a random handle: no KMS call on a route anyone may call.
    assert aws_calls == Counter({"dynamodb.PutItem": 1})

    aws_calls.clear()
    data = requested["data"]
    _, _, validated = validate(sign(wallet, data["message"]), data["tempToken"]["token"])
    assert aws_calls == Counter(
        {"dynamodb.DeleteItem": 1, "dynamodb.GetItem": 1, "dynamodb.PutItem": 1, "kms.Sign": 1}
    )

    aws_calls.clear()
    _, _, onboarded_body = onboard(validated["data"]["tempToken"]["token"], "counted@example.com")
    assert aws_calls == Counter(
        {
            # step token, user and wallet, all or nothing; the address's mail budget
            "dynamodb.TransactWriteItems": 2,
            "dynamodb.PutItem": 2,  # the session; the e-mailed code
            "dynamodb.Query": 1,  # the key's live sessions, capped
            "kms.Sign": 1,
            "kms.GenerateMac": 1,
            "ses.SendEmail": 1,
        }
    )

    aws_calls.clear()
    [code] = codes_sent_to("counted@example.com")
    verify_account(onboarded_body["data"]["tempToken"]["token"], code)
    assert aws_calls == Counter(
        {"dynamodb.UpdateItem": 1, "kms.GenerateMac": 1, "dynamodb.TransactWriteItems": 1}
    )

    aws_calls.clear()
    refresh(onboarded_body["data"]["refreshToken"])
    # The family is read (its key, its rotated marks), then rotated in one transaction with the key's check.
    assert aws_calls == Counter({"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "kms.Sign": 1})

    aws_calls.clear()
    signed_validation(wallet)  # a returning wallet
    assert aws_calls == Counter(
        {
            "dynamodb.PutItem": 2,
            "dynamodb.DeleteItem": 1,
            "dynamodb.GetItem": 2,
            "dynamodb.Query": 1,
            "kms.Sign": 1,  # the session's access token
        }
    )


def test_device_sign_in_and_approval_calls_per_endpoint_in_a_warm_container(api_key, aws_calls):
    """Hyphen's endpoints and the approval routes (see the README's table)."""
    warm_up = hyphen.signed_up(hyphen.Device(), "warm-up@example.com")
    hyphen.pending(warm_up["credentials"]["accessToken"])  # fetches the token public key, once
    phone, laptop = hyphen.Device(), hyphen.Device(name="laptop")
    calls = {}

    def counted(name, action):  # type: ignore[no-untyped-def]
        aws_calls.clear()
        answer = action()
        calls[name] = dict(aws_calls)
        return answer

    signed = counted("signup", lambda: hyphen.signed_up(phone, "ada@example.com"))
    access, user_id = signed["credentials"]["accessToken"], signed["account"]["id"]
    issued = counted("challenge", lambda: hyphen.challenge(phone)).body["challengeData"]
    counted("respond", lambda: hyphen.respond(phone, issued))
    create(api_key, {"operationId": "counted"}, user=user_id)
    shown = counted("pending", lambda: hyphen.pending(access)).body["operations"][0]
    counted("approve", lambda: hyphen.decide(access, shown, phone))
    requested = counted("2fa", lambda: hyphen.request_two_factor(laptop, "ada@example.com")).body
    hyphen.decide(access, hyphen.pending(access).body["operations"][0], phone, number=requested["number"])
    proof = laptop.sign(requested["challengeData"])
    counted("2fa/finish", lambda: hyphen.finish_two_factor(requested["twoFactorAuth"]["id"], proof))
    counted("keys", lambda: hyphen.keys(access))
    proof = counted("revocation challenge", lambda: hyphen.revocation_proof(access, laptop.public_key, phone))
    counted("revoke", lambda: hyphen.revoke_with(access, laptop.public_key, proof))

    assert calls == {
        # Every sign-in also reads its key's live sessions, to cap them.
        "signup": {
            "dynamodb.TransactWriteItems": 1,
            "dynamodb.PutItem": 1,
            "dynamodb.Query": 1,
            "kms.Sign": 1,
            "sqs.SendMessage": 1,
        },
        "challenge": {"dynamodb.GetItem": 1, "dynamodb.PutItem": 1},
        "respond": {
            "dynamodb.DeleteItem": 1,
            "dynamodb.BatchGetItem": 1,
            "dynamodb.PutItem": 1,
            "dynamodb.Query": 1,
            "kms.Sign": 1,
        },
        # Every user route first reads the access token's session, which must still be live.
        "pending": {"dynamodb.GetItem": 1, "dynamodb.Query": 1},
        "approve": {"dynamodb.GetItem": 2, "dynamodb.TransactWriteItems": 1},
        "2fa": {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1},
        "2fa/finish": {
            "dynamodb.GetItem": 3,  # the request, its proof, the user
            "dynamodb.TransactWriteItems": 1,  # consume the proof, register the key
            "dynamodb.PutItem": 1,  # the session
            "dynamodb.Query": 1,  # the key's live sessions
            "kms.Sign": 1,
        },
        "keys": {"dynamodb.GetItem": 1, "dynamodb.Query": 1},
        # the session; the step-up challenge, stored
        "revocation challenge": {"dynamodb.GetItem": 1, "dynamodb.PutItem": 1},
        # the session; the challenge, used up; the key, the count of live keys and the signer together; the
        # key's sessions, and its one session ended
        "revoke": {
            "dynamodb.GetItem": 1,
            "dynamodb.DeleteItem": 1,
            "dynamodb.TransactWriteItems": 1,
            "dynamodb.Query": 1,
            "dynamodb.UpdateItem": 1,
        },
    }


def test_unloq_calls_per_endpoint(api_key, aws_calls):
    """Authorising reads the action, the user's e-mail claim and their keys (to refuse a user with no
    device before anything is written), then writes the request and its two counters in one transaction."""
    from tests.handlers.unloq import PAYMENT, authorize, create_action, get_approval, pay

    hyphen.signed_up(hyphen.Device(), "ada@example.com")
    aws_calls.clear()
    assert create_action(api_key, PAYMENT).status == 200
    assert aws_calls == Counter({"dynamodb.GetItem": 1, "dynamodb.PutItem": 1})

    aws_calls.clear()
    status, _, answer = authorize(api_key, "demo-code", pay("ada@example.com"))
    assert status == 202
    assert aws_calls == Counter(
        {"dynamodb.GetItem": 3, "dynamodb.Query": 1, "dynamodb.TransactWriteItems": 1}
    )

    aws_calls.clear()
    assert get_approval(api_key, answer["result"]["id"]).status == 202
    assert aws_calls == Counter({"dynamodb.GetItem": 2})


def test_secure_action_calls_per_endpoint(api_key, aws_calls):
    """Init writes the action with its two request counters in one transaction and mails the code; verify
    counts the attempt (a conditional UpdateItem), then marks the action verified together with the user's
    lock-out check (one transaction)."""
    from tests.handlers.metasky import as_uuid, init, state, verify
    from tests.handlers.pakt import codes_sent_to

    user_uuid = as_uuid(hyphen.signed_up(hyphen.Device(), "raider@metasky.ai")["account"]["id"])
    aws_calls.clear()
    status, _, answer = init(api_key, user_uuid)
    assert status == 200
    assert aws_calls == Counter(
        {
            "dynamodb.GetItem": 2,
            "kms.GenerateMac": 1,
            "dynamodb.TransactWriteItems": 2,  # the action and its counters; the address's mail budget
            "ses.SendEmail": 1,
        }
    )

    aws_calls.clear()
    action, code = answer["data"]["secure_action_uuid"], codes_sent_to("raider@metasky.ai")[-1]
    assert verify(api_key, user_uuid, action, code).status == 200
    assert aws_calls == Counter(
        {
            "dynamodb.GetItem": 1,
            "dynamodb.UpdateItem": 1,
            "dynamodb.TransactWriteItems": 1,
            "kms.GenerateMac": 1,
        }
    )

    aws_calls.clear()
    assert state(api_key, user_uuid).status == 200
    assert aws_calls == Counter({"dynamodb.GetItem": 2})
