"""What a person is shown is exactly its characters (SECURITY.md 37): every string that reaches a device or a
mail passes one check, is refused with 400 in its family's envelope (nothing stored) when it could display as
something else, and is stored NFC-normalised; every signed request names its client by its registered name."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from assent_tools.store import sent_mail
from tests.conftest import Answer, another_client_key
from tests.handlers import keyless, metasky, unloq
from tests.handlers.hyphen import Device, decide, pending, recover, request_two_factor, sign_up, signed_up
from tests.handlers.pakt import new_wallet, onboard, signed_validation

EMAIL = "ada@example.com"

# Each of these once passed somewhere (U+202E in a reference, a payload and a device name; U+200B, U+2060,
# U+FEFF and tag characters in variables).
REFUSED = {
    "right-to-left override": "Pay 100\u202e RUE",
    "left-to-right mark": "Pay\u200e100",
    "right-to-left isolate": "Pay \u2067100\u2069",
    "zero width space": "Pay\u200b100",
    "zero width joiner": "Pay\u200d100",
    "word joiner": "Pay\u2060100",
    "byte order mark": "\ufeffPay 100",
    "tag characters": "Pay 100\U000e0041\U000e0042",
    "soft hyphen": "Pay\u00ad100",
    "private use": "Pay \ue000",
    "unassigned": "Pay \u0378",
    "lone surrogate": "Pay \ud800",
    "line separator": "Pay\u2028100",
    "paragraph separator": "Pay\u2029100",
    "NUL": "Pay\x00100",
    "escape": "\x1b[31mPay",
    "delete": "Pay\x7f",
    "carriage return": "Pay\r100",
    "emoji variation selector": "Pay \u2764\ufe0f",
    "ideographic variation selector": "\u845b\U000e0100",
    "three marks on one letter": "Pa\u0351\u0352\u0353y",
    "a mark with no base": "\u0301Pay",
}
# What passes: scripts, accents, symbols and emoji, written as people write them.
ACCEPTED = [
    "Pay 25.00 EUR to Example Shop",
    "Café crème, Zürich → Genève",
    "Tiếng Việt: thanh toán",
    "Ελληνικά και Кириллица",
    "注文番号 12345 を承認しますか",
    "주문을 승인하시겠습니까",
    "طلب رقم ٤٥ للدفع",
    "הזמנה מספר 12",
    "हिन्दी में भुगतान",
    "ชำระเงิน 100 บาท",
    "€ £ ¥ ₿ ½ ™ °C",
    "Party 🙂🎉 at 8",
    "q\u0301\u0302 two marks on one letter",
    "non\u00a0breaking space",
]


@pytest.fixture
def ada(api_key) -> str:
    """A user with a device; returns the device's access token."""
    return str(signed_up(Device(), EMAIL)["credentials"]["accessToken"])


def _rows(tables: dict[str, Any]) -> dict[str, int]:
    return {name: len(table.scan(ConsistentRead=True)["Items"]) for name, table in tables.items()}


# Each arranges what a field needs, then gives the call that sends `text` in that field, as the family's
# client or device sends it.
Send = Callable[[str], Answer]


def _reference(api_key: str) -> Send:
    unloq.defined(api_key, unloq.PAYMENT)
    return lambda text: unloq.authorize(api_key, "demo-code", unloq.pay(EMAIL, reference=text[:20]))


def _variable(api_key: str) -> Send:
    unloq.defined(api_key, unloq.PAYMENT)
    return lambda text: unloq.authorize(api_key, "demo-code", unloq.pay(EMAIL, amount=text))


def _title(api_key: str) -> Send:
    return lambda text: unloq.create_action(api_key, {**unloq.PAYMENT, "title": text})


def _message(api_key: str) -> Send:
    return lambda text: unloq.create_action(api_key, {**unloq.PAYMENT, "message": text})


def _button(api_key: str) -> Send:
    return lambda text: unloq.create_action(api_key, {**unloq.PAYMENT, "approve": text[:10]})


def _changed_title(api_key: str) -> Send:
    unloq.defined(api_key, unloq.PAYMENT)
    return lambda text: unloq.update_action(api_key, "demo-code", {"title": text})


def _payload(api_key: str) -> Send:
    return lambda text: keyless.create(api_key, {"operationId": "o", "operationPayload": text})


def _external_user_id(api_key: str) -> Send:
    return lambda text: keyless.create(api_key, {"operationId": "o", "externalUserId": text})


def _device_at_sign_up(api_key: str) -> Send:
    return lambda text: sign_up(Device(name=text), "grace@example.com")


def _device_asking_to_sign_in(api_key: str) -> Send:
    return lambda text: request_two_factor(Device(name=text), EMAIL)


def _device_recovering(api_key: str) -> Send:
    return lambda text: recover(Device(name=text), EMAIL)


def _first_name(api_key: str) -> Send:
    _, _, validated = signed_validation(new_wallet())
    step_token = validated["data"]["tempToken"]["token"]
    return lambda text: onboard(step_token, "grace@example.com", first=text)


def _order_reference(api_key: str) -> Send:
    user_uuid = metasky.as_uuid(signed_up(Device(), "grace@example.com")["account"]["id"])
    order = {"order_type": "withdrawal"}
    return lambda text: metasky.init(api_key, user_uuid, body={**order, "reference": text})


FIELDS: dict[str, Callable[[str], Send]] = {
    "UNLOQ reference": _reference,
    "UNLOQ variable value": _variable,
    "UNLOQ title": _title,
    "UNLOQ message": _message,
    "UNLOQ button": _button,
    "UNLOQ title, changed": _changed_title,
    "Keyless operationPayload": _payload,
    "Keyless externalUserId": _external_user_id,
    "device name at sign-up": _device_at_sign_up,
    "device name asking to sign in": _device_asking_to_sign_in,
    "device name in a recovery": _device_recovering,
    "Pakt firstName": _first_name,
    "Metasky order reference": _order_reference,
}
# The four fields the review found open take every refused string; the others take two of them.
EVERY_STRING = [
    "UNLOQ reference",
    "UNLOQ variable value",
    "Keyless operationPayload",
    "device name at sign-up",
]
# A payload keeps "\n" and "\t" of the controls, so its controls have their own test below.
CONTROLS = ("NUL", "escape", "delete", "carriage return")
CASES = [
    (f, s) for f in EVERY_STRING for s in REFUSED if not (f == "Keyless operationPayload" and s in CONTROLS)
] + [(f, s) for f in FIELDS if f not in EVERY_STRING for s in ("right-to-left override", "zero width space")]


@pytest.mark.parametrize(("field", "refused"), CASES, ids=[f"{f}: {s}" for f, s in CASES])
def test_text_that_could_show_as_something_else_is_a_400_and_stores_nothing(
    tables, ada, api_key, field, refused
):
    """SECURITY.md 37."""
    send = FIELDS[field](api_key)
    before = _rows(tables)

    answer = send(REFUSED[refused])

    assert answer.status == 400, answer.body
    assert answer.error == ("ACTION.VARIABLES" if field == "UNLOQ variable value" else "INVALID_REQUEST")
    # JSON's parser may refuse a lone surrogate before the check sees it: refused all the same.
    assert any(why in str(answer.body) for why in ("may not show as written", "unicode string"))
    assert _rows(tables) == before


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f", "\r", "\x85"])
def test_a_payload_keeps_line_breaks_and_tabs_but_no_other_control(tables, ada, api_key, control):
    """SECURITY.md 37: Keyless payloads are several lines; nothing else of Cc."""
    lines = keyless.create(api_key, {"operationId": "lines", "operationPayload": "Pay\n\t100 EUR"})

    answer = keyless.create(api_key, {"operationId": "other", "operationPayload": f"Pay{control}100"})

    assert lines.status == 200, lines.body
    assert (answer.status, answer.error) == (400, "INVALID_REQUEST")
    assert [item["operation_id"] for item in keyless.stored(tables)] == ["lines"]


@pytest.mark.parametrize("text", ACCEPTED)
def test_what_people_write_passes_and_reaches_the_device_as_sent(tables, api_key, text):
    """SECURITY.md 37: the check refuses what hides or reorders text, not scripts, accents or emoji."""
    access = signed_up(Device(name=text[:100]), EMAIL)["credentials"]["accessToken"]
    users = tables["UsersTable"].scan(ConsistentRead=True)["Items"]

    created = keyless.create(api_key, {"operationId": "o", "operationPayload": text}, user=_user_id(tables))
    _, _, listed = pending(access)

    assert created.status == 200, created.body
    assert [op["payload"] for op in listed["operations"]] == [text]
    assert any(key.get("device", {}).get("name") == text[:100] for key in users)


def test_text_is_stored_and_signed_nfc_normalised(tables, ada, api_key):
    """SECURITY.md 37: "e" and a combining acute accent is stored as the one character "é", so what is stored,
    shown and signed is one sequence however the client composed it."""
    decomposed = "Cafe\u0301, Vie\u0323\u0302t"

    keyless.create(api_key, {"operationId": "o", "operationPayload": decomposed}, user=_user_id(tables))
    _, _, listed = pending(ada)

    assert listed["operations"][0]["payload"] == "Café, Việt"


def test_a_payload_is_capped_in_bytes(tables, ada, api_key):
    """SECURITY.md 38: 2 KiB of UTF-8, however many characters that is (682 euro signs are 2046 bytes)."""
    user = _user_id(tables)
    fits = keyless.create(api_key, {"operationId": "fits", "operationPayload": "€" * 682 + "ab"}, user=user)
    over = keyless.create(api_key, {"operationId": "over", "operationPayload": "€" * 683}, user=user)

    assert fits.status == 200, fits.body
    assert (over.status, over.error) == (400, "INVALID_REQUEST") and "2048 bytes" in over.body["message"]


def test_every_request_names_its_client_and_the_approval_signs_the_name(tables, ada, api_key):
    """SECURITY.md 37: the device shows who asks, by the name an operator registered, and a signature made
    over another name is refused; Assent's own requests say Assent."""
    other = another_client_key()
    user = _user_id(tables)
    keyless.create(api_key, {"operationId": "a", "operationPayload": "Pay 10"}, user=user)
    keyless.create(other, {"operationId": "b", "operationPayload": "Pay 10"}, user=user)
    request_two_factor(Device(name="New phone"), EMAIL)
    _, _, listed = pending(ada)
    operations = listed["operations"]
    names = {op["operationId"]: op["clientName"] for op in operations if op["purpose"] == "operation"}

    assert names == {"a": "test client", "b": "another client"}
    assert [op["clientName"] for op in operations if op["purpose"] == "device.signin"] == ["Assent"]


def test_a_signature_over_another_clients_name_is_refused(tables, api_key):
    """SECURITY.md 37: the name is in what the device signs."""
    device = Device()
    access = signed_up(device, EMAIL)["credentials"]["accessToken"]
    keyless.create(api_key, {"operationId": "a", "operationPayload": "Pay 10"}, user=_user_id(tables))
    _, _, listed = pending(access)
    (shown,) = listed["operations"]

    forged = decide(access, {**shown, "clientName": "another client"}, device)
    honest = decide(access, shown, device)

    assert (forged.status, forged.error) == (403, "APPROVAL_REFUSED")
    assert honest.status == 200, honest.body


@pytest.mark.parametrize(
    "name",
    [
        "Assent",
        "assent",
        "\uff21\uff33\uff33\uff25\uff2e\uff34",
        "Shop\u202e",
        "Shop\u200b",
        "",
        "   ",
        "x" * 65,
    ],
)
def test_a_client_cannot_register_a_name_that_shows_as_another(tables, name):
    """SECURITY.md 37: not Assent's own name, in any case or width (full-width letters spell it too), and not
    text that shows as something else."""
    from assent import wiring

    with pytest.raises(ValueError):
        wiring.clients_service().create(name)


def test_the_mail_says_what_the_code_confirms_in_the_clients_words_and_no_users(tables, api_key):
    """SECURITY.md 37: the client's registered name, the order's type and its reference, given at init and
    checked; a verify naming another order type is refused, though the code is right."""
    email = f"inbox-{uuid.uuid4().hex[:8]}@example.com"
    user_uuid = metasky.as_uuid(signed_up(Device(), email)["account"]["id"])
    order = {"order_type": "withdrawal", "reference": "Withdraw 0.5 ETH to 0xAb5801a7"}

    started = metasky.init(api_key, user_uuid, body=order)
    (mail,) = [m for m in sent_mail("us-east-1") if m["destinations"]["ToAddresses"] == [email]][-1:]
    code = mail["body"].split("Your code is ")[1][:6]
    action = started.body["data"]["secure_action_uuid"]
    wrong_type = metasky.verify(api_key, user_uuid, action, code, order_type="transfer")
    right_type = metasky.verify(api_key, user_uuid, action, code, order_type="withdrawal")
    _, _, read = metasky.state(api_key, user_uuid)

    assert mail["subject"] == "Your code for test client"
    assert "It confirms this withdrawal order for test client:" in mail["body"]
    assert "  Withdraw 0.5 ETH to 0xAb5801a7\n" in mail["body"]
    assert (wrong_type.status, wrong_type.error) == (409, "ORDER_TYPE_MISMATCH")
    assert right_type.status == 200, right_type.body
    assert (read["data"]["order_type"], read["data"]["reference"]) == ("withdrawal", order["reference"])


def _user_id(tables: dict[str, Any]) -> str:
    """The one user's id (the Keyless userId a client addresses)."""
    items = tables["UsersTable"].scan(ConsistentRead=True)["Items"]
    (user,) = [item for item in items if item.get("kind") == "user"]
    return str(user["user_id"])
