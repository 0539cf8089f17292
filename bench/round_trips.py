"""AWS calls per endpoint in a warm container, counted through botocore's events, beside the fewest that
keep the endpoint's invariants (each minimum is argued in MINIMUM). Every endpoint runs once through its
handler against moto, provisioned from template.yaml, after a first pass that warms the container.

    .venv/bin/python -m bench round_trips
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any
from unittest import mock

from assent_tools.aws_calls import counted_calls
from bench.handlers import provisioned
from bench.report import print_table

# Imported for its setting of a fake AWS environment from template.yaml, as for the tests, and its helpers.
from tests import conftest

SHORT = {"dynamodb": "", "kms": "KMS ", "ses": "SES ", "sqs": "SQS "}


@dataclass(frozen=True)
class Minimum:
    calls: dict[str, int]
    why: str


def _m(why: str, **calls: int) -> Minimum:
    return Minimum({name.replace("__", "."): n for name, n in calls.items()}, why)


# The fewest calls each endpoint can make and still keep its invariants (SECURITY.md in brackets).
MINIMUM: dict[str, Minimum] = {
    "web3 request": _m(
        "store the nonce server-side (2), sign the temp token (23)", dynamodb__PutItem=1, kms__Sign=1
    ),
    "web3 validate, new wallet": _m(
        "consume the nonce once (3), read the wallet's owner (8), store the step token, sign it",
        dynamodb__DeleteItem=1,
        dynamodb__GetItem=1,
        dynamodb__PutItem=1,
        kms__Sign=1,
    ),
    "web3 validate, known wallet": _m(
        "consume (3), the wallet's owner and then the user (keyed by what the first read returns), "
        "the session, its access token"
        "; the key's live sessions, capped (33)",
        dynamodb__DeleteItem=1,
        dynamodb__GetItem=2,
        dynamodb__PutItem=1,
        dynamodb__Query=1,
        kms__Sign=1,
    ),
    "web3 onboard": _m(
        "user, wallet and step token all or nothing (the address is claimed once verified, 34); the "
        "session; the code as a keyed hash (19) stored and mailed; the access token"
        "; the key's live sessions, capped (33)"
        "; the address's mail budget, taken before the mail (37)",
        dynamodb__TransactWriteItems=2,
        dynamodb__PutItem=2,
        dynamodb__Query=1,
        kms__Sign=1,
        kms__GenerateMac=1,
        ses__SendEmail=1,
    ),
    "account verify": _m(
        "count the attempt before comparing (20), hash the guess, use the code, mark the user verified and "
        "claim the address (34) together",
        dynamodb__UpdateItem=1,
        kms__GenerateMac=1,
        dynamodb__TransactWriteItems=1,
    ),
    "account verify, resend": _m(
        "the user (their address is not in the token), the code replaced under the resend throttle (21), "
        "hashed, mailed"
        "; the address's mail budget, taken before the mail (37)",
        dynamodb__GetItem=1,
        dynamodb__PutItem=1,
        kms__GenerateMac=1,
        dynamodb__TransactWriteItems=1,
        ses__SendEmail=1,
    ),
    "refresh": _m(
        "read the family, whose key the rotation must check (33); rotate the token and check the key is"
        " live in one transaction (24, 33); sign the access token",
        dynamodb__GetItem=1,
        dynamodb__TransactWriteItems=1,
        kms__Sign=1,
    ),
    "jwks": _m("the public keys, fetched once per container and served from memory"),
    "signup": _m(
        "user, key and e-mail all or nothing; the session; its access token; the deployment message"
        "; the key's live sessions, capped (33)",
        dynamodb__TransactWriteItems=1,
        dynamodb__PutItem=1,
        dynamodb__Query=1,
        kms__Sign=1,
        sqs__SendMessage=1,
    ),
    "signin/challenge": _m(
        "is the key live (26), store the challenge (2)", dynamodb__GetItem=1, dynamodb__PutItem=1
    ),
    "signin/challenge/respond": _m(
        "consume the challenge (3), the key and its user in one batch, the session, its access token"
        "; the key's live sessions, capped (33)",
        dynamodb__DeleteItem=1,
        dynamodb__BatchGetItem=1,
        dynamodb__PutItem=1,
        dynamodb__Query=1,
        kms__Sign=1,
    ),
    "signin/2fa": _m(
        "the e-mail's owner, then the request, its proof, the per-user throttle and the user's request "
        "count (18) in one transaction",
        dynamodb__GetItem=1,
        dynamodb__TransactWriteItems=1,
    ),
    "signin/2fa/finish": _m(
        "the request and the proof it waits on (their keys are independent, but the user is only known "
        "from the request), register the key and consume the proof together, the session, its token"
        "; the key's live sessions, capped (33)",
        dynamodb__GetItem=3,
        dynamodb__TransactWriteItems=1,
        dynamodb__PutItem=1,
        dynamodb__Query=1,
        kms__Sign=1,
    ),
    "device operations/pending": _m(
        "the access token's session, live (33); one query of the sparse pending index",
        dynamodb__GetItem=1,
        dynamodb__Query=1,
    ),
    "approve": _m(
        "the session, live (33); the operation (what was shown, to check the signature over it), then key"
        " check and conditional decision in one transaction (13, 14)",
        dynamodb__GetItem=2,
        dynamodb__TransactWriteItems=1,
    ),
    "deny": _m("as approve: a denial is signed too", dynamodb__GetItem=2, dynamodb__TransactWriteItems=1),
    "keys": _m(
        "the session, live (33); one query of the user's keys", dynamodb__GetItem=1, dynamodb__Query=1
    ),
    "revocation challenge": _m(
        "the session, live (33); the challenge stored, bound to the user, its purpose and the key (2)",
        dynamodb__GetItem=1,
        dynamodb__PutItem=1,
    ),
    "revoke a key": _m(
        "the session, live (33); the step-up challenge used up (3); the key revoked, the user's live keys "
        "counted down (never below one) and the signing key checked live, together (35); find the key's "
        "sessions, revoke each (25); here the key had one session",
        dynamodb__GetItem=1,
        dynamodb__DeleteItem=1,
        dynamodb__TransactWriteItems=1,
        dynamodb__Query=1,
        dynamodb__UpdateItem=1,
    ),
    "recover": _m(
        "the e-mail's owner, the per-account throttle (21) and the recovery with its code as a keyed hash "
        "together, mailed"
        "; the address's mail budget, taken before the mail (37)",
        dynamodb__GetItem=1,
        dynamodb__TransactWriteItems=2,
        kms__GenerateMac=1,
        ses__SendEmail=1,
    ),
    "recover/confirm": _m(
        "count the attempt before comparing (20), hash the guess, open the cooling-off operation that "
        "the user's devices can veto, counted in the user's request limit (18), and tell the address so"
        "; the address's mail budget, taken before the mail (37)",
        dynamodb__UpdateItem=1,
        kms__GenerateMac=1,
        dynamodb__TransactWriteItems=2,
        ses__SendEmail=1,
    ),
    "recover/finish": _m(
        "the recovery, the vetoable operation, the user, then consume and register the key together, the "
        "session, its token"
        "; the key's live sessions, capped (33)",
        dynamodb__GetItem=3,
        dynamodb__TransactWriteItems=1,
        dynamodb__PutItem=1,
        dynamodb__Query=1,
        kms__Sign=1,
    ),
    "keyless create": _m(
        "the API key's client (17), then the operation and its two request counters together (18)",
        dynamodb__GetItem=1,
        dynamodb__TransactWriteItems=1,
    ),
    "keyless pending": _m(
        "the client, one query of the sparse index", dynamodb__GetItem=1, dynamodb__Query=1
    ),
    "keyless get": _m("the client, the operation", dynamodb__GetItem=2),
    "unloq create action": _m("the client, a conditional put", dynamodb__GetItem=1, dynamodb__PutItem=1),
    "unloq list actions": _m("the client, one query", dynamodb__GetItem=1, dynamodb__Query=1),
    "unloq get action": _m("the client, the action", dynamodb__GetItem=2),
    "unloq update action": _m(
        "the client, one conditional update returning the new item",
        dynamodb__GetItem=1,
        dynamodb__UpdateItem=1,
    ),
    "unloq delete action": _m(
        "the client, one conditional delete", dynamodb__GetItem=1, dynamodb__DeleteItem=1
    ),
    "unloq authorize (wait 0)": _m(
        "the client, the action, the e-mail's owner, the user's live keys (refuse before writing), then "
        "the request and its two counters together (18)",
        dynamodb__GetItem=3,
        dynamodb__Query=1,
        dynamodb__TransactWriteItems=1,
    ),
    "unloq approval (wait 0)": _m("the client, the request", dynamodb__GetItem=2),
    "metasky secure action init": _m(
        "the client, the user (their e-mail), the code as a keyed hash, the action and its two counters "
        "together, the mail"
        "; the address's mail budget, taken before the mail (37)",
        dynamodb__GetItem=2,
        kms__GenerateMac=1,
        dynamodb__TransactWriteItems=2,
        ses__SendEmail=1,
    ),
    "metasky secure action verify": _m(
        "the client, count the attempt before comparing (20), hash the guess, mark it verified with the "
        "user's e-mailed codes checked open and their run of failures ended (28), together; the user need "
        "only be read when no action is found, to tell USER_NOT_FOUND from ORDER_NOT_FOUND",
        dynamodb__GetItem=1,
        dynamodb__UpdateItem=1,
        dynamodb__TransactWriteItems=1,
        kms__GenerateMac=1,
    ),
    "metasky secure action state": _m(
        "the client, the action; the user only when there is none (USER_NOT_FOUND or ORDER_NOT_FOUND)",
        dynamodb__GetItem=2,
    ),
}


class Recorder:
    """Runs each step in turn and keeps the calls it made, under its row's name."""

    def __init__(self, calls: Counter[str]) -> None:
        self._calls = calls
        self.rows: dict[str, Counter[str]] = {}

    def __call__(self, row: str, step: Callable[[], tuple[int, dict[str, str], Any]]) -> Any:
        self._calls.clear()
        status, _, body = step()
        assert status < 300, (row, status, body)
        self.rows[row] = Counter(self._calls)
        return body


@contextmanager
def _later(seconds: float) -> Iterator[None]:
    shifted = time.time() + seconds
    with mock.patch("time.time", lambda: shifted):
        yield


def _scenario(record: Recorder, n: int) -> None:
    """Every endpoint once, as its users call it. `n` keeps identities apart between passes."""
    from assent import wiring
    from tests.handlers import hyphen, keyless, metasky, pakt, unloq

    api_key = wiring.clients_service().create(f"bench {n}").api_key

    wallet, email = pakt.new_wallet(), f"wallet-{n}@example.com"
    requested = record("web3 request", lambda: pakt.request(wallet.address))["data"]
    signature = pakt.sign(wallet, requested["message"])
    token = requested["tempToken"]["token"]
    validated = record("web3 validate, new wallet", lambda: pakt.validate(signature, token))["data"]
    session = record("web3 onboard", lambda: pakt.onboard(validated["tempToken"]["token"], email))["data"]
    access = session["tempToken"]["token"]
    with _later(61):  # past the resend throttle
        record("account verify, resend", lambda: pakt.resend(access))
    code = pakt.codes_sent_to(email)[-1]
    record("account verify", lambda: pakt.verify_account(access, code))
    record("refresh", lambda: pakt.refresh(session["refreshToken"]))
    requested = pakt.request(wallet.address)[2]["data"]
    signature, token = pakt.sign(wallet, requested["message"]), requested["tempToken"]["token"]
    record("web3 validate, known wallet", lambda: pakt.validate(signature, token))
    record("jwks", lambda: conftest.invoke("JwksFunction", conftest.api_event("wellknown/jwks.json")))

    phone, laptop, email = hyphen.Device(), hyphen.Device(name="laptop"), f"device-{n}@example.com"
    signed = record("signup", lambda: hyphen.sign_up(phone, email))
    access, user_id = signed["credentials"]["accessToken"], signed["account"]["id"]
    issued = record("signin/challenge", lambda: hyphen.challenge(phone))["challengeData"]
    record("signin/challenge/respond", lambda: hyphen.respond(phone, issued))
    for operation_id in ("approved", "denied"):
        record(
            "keyless create", lambda i=operation_id: keyless.create(api_key, {"operationId": i}, user=user_id)
        )
    record("keyless pending", lambda: keyless.pending(api_key, user=user_id))
    shown = record("device operations/pending", lambda: hyphen.pending(access))["operations"]
    record("approve", lambda: hyphen.decide(access, shown[0], phone))
    record("deny", lambda: hyphen.decide(access, shown[1], phone, "deny"))
    record("keyless get", lambda: keyless.get(api_key, "approved"))
    requested = record("signin/2fa", lambda: hyphen.request_two_factor(laptop, email))
    hyphen.decide(access, hyphen.only_pending(access), phone, number=requested["number"])
    proof = laptop.sign(requested["challengeData"])
    finish = requested["twoFactorAuth"]["id"]
    record("signin/2fa/finish", lambda: hyphen.finish_two_factor(finish, proof))
    record("keys", lambda: hyphen.keys(access))
    proof = record("revocation challenge", lambda: hyphen.revocation_challenge(access, laptop.public_key))
    proof = {
        "challengeData": proof["challengeData"],
        "publicKey": phone.public_key,
        "signature": phone.sign(proof["message"]),
    }
    record("revoke a key", lambda: hyphen.revoke_with(access, laptop.public_key, proof))

    replacement = hyphen.Device(name="new phone")
    started = record("recover", lambda: hyphen.recover(replacement, email))
    code, recovery_id = pakt.codes_sent_to(email)[-1], started["recoveryId"]
    confirmed = record(
        "recover/confirm",
        lambda: hyphen.confirm_recovery(recovery_id, code, replacement.sign(recovery_id)),
    )
    with _later(24 * 3600 + 1):  # past the cooling-off
        proof = replacement.sign(confirmed["challengeData"])
        record("recover/finish", lambda: hyphen.finish_recovery(recovery_id, proof))

    payer = f"payer-{n}@example.com"
    hyphen.signed_up(hyphen.Device(), payer)
    record("unloq create action", lambda: unloq.create_action(api_key, unloq.PAYMENT))
    record("unloq list actions", lambda: unloq.list_actions(api_key))
    code = unloq.PAYMENT["code"]
    record("unloq get action", lambda: unloq.get_action(api_key, code))
    record("unloq update action", lambda: unloq.update_action(api_key, code, {"deny": "No"}))
    asked = record("unloq authorize (wait 0)", lambda: unloq.authorize(api_key, code, unloq.pay(payer)))
    record("unloq approval (wait 0)", lambda: unloq.get_approval(api_key, asked["result"]["id"], wait=0))
    record("unloq delete action", lambda: unloq.delete_action(api_key, code))

    email = f"raider-{n}@metasky.ai"
    user_uuid = metasky.as_uuid(hyphen.signed_up(hyphen.Device(), email)["account"]["id"])
    order = f"61c8f27a-442f-4d9e-a5b9-{n:012d}"
    action = record("metasky secure action init", lambda: metasky.init(api_key, user_uuid, order))
    code = pakt.codes_sent_to(email)[-1]
    action_uuid = action["data"]["secure_action_uuid"]
    record(
        "metasky secure action verify",
        lambda: metasky.verify(api_key, user_uuid, action_uuid, code, order),
    )
    record("metasky secure action state", lambda: metasky.state(api_key, user_uuid, order))


def _calls(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    return ", ".join(
        f"{SHORT[name.split('.')[0]]}{name.split('.')[1]}" + (f" x{n}" if n > 1 else "")
        for name, n in sorted(counts.items())
    )


def measure() -> dict[str, Counter[str]]:
    """The calls of every row in a warm container (the second pass)."""
    with provisioned(), counted_calls() as calls:
        passes = count(1)
        _scenario(Recorder(calls), next(passes))  # cold: first tokens fetch the public key
        warm = Recorder(calls)
        _scenario(warm, next(passes))
    return warm.rows


def main() -> None:
    rows = measure()
    missing = set(MINIMUM) ^ set(rows)
    assert not missing, f"rows without a minimum or a measurement: {missing}"
    table = []
    for name, observed in rows.items():
        minimum = MINIMUM[name]
        extra = sum(observed.values()) - sum(minimum.calls.values())
        table.append([name, _calls(observed), _calls(minimum.calls), f"{extra:+d}" if extra else "0"])
    print_table(["endpoint (warm)", "AWS calls made", "minimum", "extra"], table)
    print()
    for name, minimum in MINIMUM.items():
        print(f"  {name}: {minimum.why}")


if __name__ == "__main__":
    main()
