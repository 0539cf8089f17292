"""UNLOQ's authorisation actions: defining templates, and reading, changing and deleting them."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.conftest import another_client_key
from tests.handlers.unloq import (
    PAYMENT,
    WELCOME,
    create_action,
    defined,
    delete_action,
    get_action,
    list_actions,
    update_action,
)

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_creating_an_action_answers_exactly_the_documented_shape(api_key):
    status, _, body = create_action(api_key, PAYMENT)

    assert status == 200
    assert body["type"] == "api.application.action.create"
    result = body["result"]
    assert set(result) == {
        "id",
        "action",
        "variables",
        "button",
        "is_active",
        "number_matching",
        "application_id",
        "created_at",
        "updated_at",
    }
    assert result["action"] == {"code": "demo-code", "title": PAYMENT["title"], "message": PAYMENT["message"]}
    assert result["variables"] == ["amount", "company"]
    assert result["button"] == {"approve": "Yes", "deny": "Cancel"}
    assert result["is_active"] is True and result["number_matching"] is False
    assert result["application_id"].startswith("cl_")
    assert ISO_MS.match(result["created_at"]) and result["created_at"] == result["updated_at"]


def test_the_seeds_form_encoded_request_defines_the_same_action(api_key):
    """UNLOQ's own example posts the action as a form (`request`'s `form:`); it is read as the JSON body."""
    form = urlencode({k: v for k, v in PAYMENT.items()})

    status, _, body = create_action(api_key, form, **{"Content-Type": "application/x-www-form-urlencoded"})

    assert status == 200, body
    assert body["result"]["variables"] == ["amount", "company"]
    assert body["result"]["action"]["message"] == PAYMENT["message"]


def test_buttons_default_to_approve_and_deny(api_key):
    result = defined(api_key, WELCOME)

    assert result["button"] == {"approve": "Approve", "deny": "Deny"}
    assert result["variables"] == ["name", "phone"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "x" * 21),
        ("code", "has space"),
        ("code", "dot.ted"),
        ("title", "t" * 36),
        ("message", "m" * 101),
        ("approve", "a" * 11),
        ("deny", ""),
    ],
)
def test_fields_beyond_unloqs_limits_are_refused_in_its_envelope(api_key, field, value):
    """SECURITY.md 27: schema breaks get a 4xx in the family's envelope, and nothing is stored."""
    status, _, body = create_action(api_key, {**PAYMENT, field: value})

    assert status == 400
    assert body["error"]["code"] == "INVALID_REQUEST" and body["error"]["status"] == 400
    assert field in body["error"]["message"]
    assert list_actions(api_key).body["result"] == []


@pytest.mark.parametrize("text", ["Pay\u202e001 EUR", "line\nbreak", "nul\x00", "isolate\u2066x"])
def test_template_text_with_control_or_direction_characters_is_refused(api_key, text):
    """SECURITY.md 16: what a device shows cannot be reordered or hidden by invisible characters."""
    status, _, body = create_action(api_key, {**PAYMENT, "title": text})

    assert status == 400 and body["error"]["code"] == "INVALID_REQUEST"
    assert "U+" in body["error"]["message"]


def test_a_code_is_unique_per_client_but_not_across_clients(api_key):
    defined(api_key, PAYMENT)

    status, _, body = create_action(api_key, {**PAYMENT, "title": "Another"})
    assert (status, body["error"]["code"]) == (409, "ACTION.EXISTS")
    assert get_action(api_key, "demo-code").body["result"]["action"]["title"] == PAYMENT["title"]

    assert create_action(another_client_key(), PAYMENT).status == 200


def test_calls_without_a_valid_api_key_are_refused(api_key):
    status, _, body = create_action("ak_" + "x" * 40, PAYMENT)

    assert status == 401
    assert body == {
        "error": {"code": "UNAUTHENTICATED", "message": "a valid API key is required", "status": 401}
    }


def test_an_action_is_read_changed_deactivated_and_deleted(api_key):
    defined(api_key, PAYMENT)

    status, _, read = get_action(api_key, "demo-code")
    assert (status, read["type"]) == (200, "api.application.action.read")

    status, _, changed = update_action(api_key, "demo-code", {"title": "Pay $amount to $company?"})
    assert (status, changed["type"]) == (200, "api.application.action.update")
    assert changed["result"]["action"]["title"] == "Pay $amount to $company?"
    assert changed["result"]["variables"] == ["amount", "company"]
    assert changed["result"]["updated_at"] >= changed["result"]["created_at"]

    status, _, deactivated = update_action(api_key, "demo-code", {"is_active": False})
    assert status == 200 and deactivated["result"]["is_active"] is False
    assert get_action(api_key, "demo-code").body["result"]["is_active"] is False

    status, _, deleted = delete_action(api_key, "demo-code")
    assert (status, deleted["type"]) == (200, "api.application.action.delete")
    assert get_action(api_key, "demo-code").status == 404
    assert delete_action(api_key, "demo-code").status == 404


def test_an_update_that_changes_nothing_answers_the_action_as_it_is(api_key):
    defined(api_key, PAYMENT)
    before = get_action(api_key, "demo-code").body["result"]

    status, _, unchanged = update_action(api_key, "demo-code", {})

    assert (status, unchanged["type"]) == (200, "api.application.action.update")
    assert unchanged["result"] == before
    assert update_action(api_key, "no-such-code", {}).status == 404


def test_a_change_is_checked_like_a_new_action(api_key):
    defined(api_key, PAYMENT)

    assert update_action(api_key, "demo-code", {"title": "t" * 36}).status == 400
    assert update_action(api_key, "demo-code", {"message": "bidi \u202e"}).status == 400
    assert get_action(api_key, "demo-code").body["result"]["action"]["title"] == PAYMENT["title"]


def test_a_client_sees_and_changes_only_its_own_actions(api_key):
    """SECURITY.md 17: another client's action does not exist for it."""
    defined(api_key, PAYMENT)
    other = another_client_key()
    defined(other, WELCOME)

    assert [a["action"]["code"] for a in list_actions(api_key).body["result"]] == ["demo-code"]
    assert list_actions(other).body["type"] == "api.application.action.list"
    for answer in (
        get_action(other, "demo-code"),
        update_action(other, "demo-code", {"is_active": False}),
        delete_action(other, "demo-code"),
    ):
        assert (answer.status, answer.error) == (404, "ACTION.NOT_FOUND")
    assert get_action(api_key, "demo-code").body["result"]["is_active"] is True
