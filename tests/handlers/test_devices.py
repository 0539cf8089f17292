"""A device updates what it says of itself and the token pushes reach it by, as Hyphen's SDKs do after each
sign-in (PUT /device/v1/devices/{publicKey}): only for a live key of the signed-in user."""

from __future__ import annotations

from typing import Any

from tests.conftest import Answer, api_event, invoke
from tests.handlers.hyphen import Device, bearer, keys, register_second_device, revoke, signed_up

EMAIL = "ada@example.com"


def edit(access: str, public_key: str, body: Any) -> Answer:
    event = api_event(
        "hyphen/edit_device.json",
        path_parameters={"publicKey": public_key},
        body=body,
        headers=bearer(access),
    )
    return invoke("EditDeviceFunction", event)


def _stored_key(tables: dict[str, Any], device: Device) -> dict[str, Any]:
    (item,) = [i for i in tables["UsersTable"].scan()["Items"] if i.get("public_key") == device.public_key]
    return item


def test_a_device_updates_its_fields_and_push_token(tables):
    phone = Device(name="Old name")
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]

    answer = edit(
        access, phone.public_key, {"pushToken": "fcm:APA91b-token_0123", "name": "Ada's phone", "lang": "en"}
    )
    _, _, listed = keys(access)

    assert answer.status == 200, answer.body
    (key,) = listed["keys"]
    shown = {field: value for field, value in key["device"].items() if value is not None}
    assert shown == {"name": "Ada's phone", "osName": "iOS", "lang": "en"}
    assert "fcm" not in str(listed)  # the push token is kept, never shown
    assert _stored_key(tables, phone)["push_token"] == "fcm:APA91b-token_0123"


def test_only_a_live_key_of_the_caller_is_edited(tables):
    """SECURITY.md 17 and 25: another user's key, and a revoked one, are as absent as one that never was."""
    phone, tablet = Device(), Device(name="tablet")
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]
    other_access = signed_up(Device(), "grace@example.com")["credentials"]["accessToken"]
    register_second_device(phone, tablet, EMAIL, access)
    assert revoke(access, tablet.public_key, phone).status == 200

    someone_elses = edit(other_access, phone.public_key, {"name": "mine now"})
    revoked = edit(access, tablet.public_key, {"name": "back"})

    assert (someone_elses.status, someone_elses.error) == (404, "KEY_NOT_FOUND")
    assert (revoked.status, revoked.error) == (404, "KEY_NOT_FOUND")
    assert _stored_key(tables, phone)["device"]["name"] == phone.name


def test_device_fields_pass_the_display_check_and_tokens_are_printable(tables):
    """SECURITY.md 37: a device's name is shown when it approves or is approved."""
    phone = Device()
    access = signed_up(phone, EMAIL)["credentials"]["accessToken"]

    named = edit(access, phone.public_key, {"name": "Ada\u202e's phone"})
    spaced = edit(access, phone.public_key, {"pushToken": "has a space"})

    assert (named.status, named.error) == (400, "INVALID_REQUEST")
    assert (spaced.status, spaced.error) == (400, "INVALID_REQUEST")
