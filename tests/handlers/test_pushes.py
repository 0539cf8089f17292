"""Pushes to devices (SNS mobile push): a device registers its token; each request created for its user
sends it one data-only push (Hyphen's `hyphen:type`, `hyphen:data`), never the request's text, once however
often the change is read; a disabled endpoint is marked and skipped."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from tests.conftest import PARAMETERS
from tests.handlers import events
from tests.handlers.hyphen import Device, register_second_device, request_two_factor, revoke, signed_up
from tests.handlers.keyless import created
from tests.handlers.test_devices import edit

EMAIL = "ada@example.com"


def _sent(endpoint_arn: str) -> list[dict[str, Any]]:
    """What SNS was asked to push to one endpoint, each message as published (one JSON per platform)."""
    endpoint = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].platform_endpoints[endpoint_arn]
    return [json.loads(message) for message in endpoint.messages.values()]


def _registered(tables: dict[str, Any], device: Device) -> str:
    [item] = [i for i in tables["UsersTable"].scan()["Items"] if i["pk"] == f"key#p256#{device.fingerprint}"]
    return str(item["push_endpoint"])


@pytest.fixture
def phone(api_key, tables) -> tuple[Device, str, str]:
    """A user whose Android phone registered its FCM token: the device, the user's id, an access token."""
    device = Device()
    body = signed_up(device, EMAIL)
    access = body["credentials"]["accessToken"]
    token = f"fcm-token-{uuid.uuid4()}"
    status, _, answer = edit(access, device.public_key, {"osName": "Android", "pushToken": token})
    assert status == 200, answer
    return device, body["account"]["id"], access


def test_a_push_token_is_registered_with_sns_for_its_platform(tables, phone):
    device, _, access = phone
    iphone = Device()
    iphone_access = register_second_device(device, iphone, EMAIL, access)["credentials"]["accessToken"]
    assert edit(iphone_access, iphone.public_key, {"osName": "iOS", "pushToken": "a" * 64}).status == 200

    android_endpoint = _registered(tables, device)
    sns = boto3.client("sns")
    attributes = sns.get_endpoint_attributes(EndpointArn=android_endpoint)["Attributes"]
    assert attributes["Token"].startswith("fcm-token-") and attributes["Enabled"] == "true"
    assert android_endpoint.startswith(PARAMETERS["FcmPlatformApplicationArn"].replace(":app/", ":endpoint/"))
    assert _registered(tables, iphone).startswith(
        PARAMETERS["ApnsPlatformApplicationArn"].replace(":app/", ":endpoint/")
    )


def test_a_new_request_is_pushed_once_as_data_without_its_text(api_key, tables, phone):
    _, user_id, _ = phone
    sources = events.sources()
    created(api_key, user_id, operation_id="order-7", payload="Pay 10 EUR to Example Shop")
    sources.drain()
    sources.rewind()
    sources.drain()  # the change read again: no second push

    [message] = _sent(_registered(tables, phone[0]))
    fcm = json.loads(message["GCM"])["fcmV1Message"]["message"]
    assert fcm["data"]["hyphen:type"] == "assent:approval-request"
    data = json.loads(fcm["data"]["hyphen:data"])
    assert data["requestId"].endswith(".order-7") and data["purpose"] == "operation" and data["expiresAt"] > 0
    assert "notification" not in fcm  # data only: the app fetches its list and shows what it finds
    assert "Pay 10 EUR" not in json.dumps(message)
    apns = json.loads(message["APNS"])
    assert apns["aps"] == {"content-available": 1} and apns["hyphen:type"] == "assent:approval-request"


def test_a_new_device_asking_to_sign_in_is_pushed_as_hyphens_2fa_request(tables, phone):
    sources = events.sources()
    status, _, requested = request_two_factor(Device(), EMAIL)
    assert status == 201
    sources.drain()

    [message] = _sent(_registered(tables, phone[0]))
    fcm = json.loads(message["GCM"])["fcmV1Message"]["message"]
    assert fcm["data"]["hyphen:type"] == "2fa-request"
    data = json.loads(fcm["data"]["hyphen:data"])
    assert data["purpose"] == "device.signin"
    # What Hyphen's SDKs decode from a 2fa-request (HyphenResponseSignIn2FA): the request, still pending.
    assert (
        data["twoFactorAuth"]["id"] == data["requestId"].split(".", 1)[1] == requested["twoFactorAuth"]["id"]
    )
    assert data["twoFactorAuth"]["status"] == "pending"
    assert data["twoFactorAuth"]["expiresAt"] == requested["twoFactorAuth"]["expiresAt"]
    assert (
        data["twoFactorAuth"]["request"]["requestedAt"]
        == requested["twoFactorAuth"]["request"]["requestedAt"]
    )


def test_a_disabled_endpoint_is_marked_and_skipped(api_key, tables, phone):
    device, user_id, _ = phone
    endpoint = _registered(tables, device)
    boto3.client("sns").set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    sources = events.sources()
    created(api_key, user_id, operation_id="first")
    sources.drain()
    [item] = [i for i in tables["UsersTable"].scan()["Items"] if i.get("push_endpoint") == endpoint]

    assert item["push_disabled"] is True and _sent(endpoint) == []
    created(api_key, user_id, operation_id="second")
    sources.drain()
    assert _sent(endpoint) == []  # skipped: SNS said it was disabled, and the device has not registered since

    # The app registers its token again (reinstalled, say): the mark goes, and pushes reach it.
    boto3.client("sns").set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "true"})
    token = boto3.client("sns").get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]["Token"]
    assert edit(phone[2], device.public_key, {"pushToken": token}).status == 200
    created(api_key, user_id, operation_id="third")
    sources.drain()
    assert len(_sent(endpoint)) == 1


def test_a_revoked_key_is_pushed_nothing(api_key, tables, phone):
    device, user_id, access = phone
    other = Device()
    register_second_device(device, other, EMAIL, access)
    assert revoke(access, device.public_key, other).status == 200
    sources = events.sources()
    created(api_key, user_id, operation_id="after-revocation")
    sources.drain()

    assert _sent(_registered(tables, device)) == []


def test_a_push_sns_fails_to_send_stays_queued_and_unmarked_for_its_retry(api_key, tables, phone):
    from assent_tools.aws_calls import failing_call

    device, user_id, _ = phone
    sources = events.sources()
    created(api_key, user_id, operation_id="throttled")
    with failing_call(1, service="sns", code="ThrottlingException"):
        sources.drain()  # the push fails; its message is left on the queue
    assert _sent(_registered(tables, device)) == []
    # Still queued (visible again after the queue's visibility timeout), and not marked sent.
    assert len(events.queued("PushQueue")) == 1
    assert [i for i in tables["WebhooksTable"].scan()["Items"] if i["pk"].startswith("push#")] == []
