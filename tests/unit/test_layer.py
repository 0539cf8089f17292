"""The shared layer's pieces on their own: settings, keys, operation state, wire helpers."""

from __future__ import annotations

import pytest

from assent.core import config
from assent.core.clock import iso8601
from assent.core.errors import Unauthenticated
from assent.core.http import body_refusal, cors_headers, describe_validation_errors
from assent.crypto.api_keys import generate_api_key, hash_api_key
from assent.model.clients import ClientRecord
from assent.model.operations import Operation, OperationState
from assent.services.clients import ClientsService


@pytest.fixture
def fresh_settings(monkeypatch):
    config.settings.cache_clear()
    yield monkeypatch
    config.settings.cache_clear()


def test_settings_are_read_on_first_use(fresh_settings):
    fresh_settings.setenv("ASSENT_OPERATIONS_TABLE", "ops-from-env")

    assert config.settings().operations_table == "ops-from-env"


def test_a_function_without_its_tables_refuses_to_start(fresh_settings):
    fresh_settings.delenv("ASSENT_CLIENTS_TABLE")

    with pytest.raises(config.ConfigurationError, match="ASSENT_CLIENTS_TABLE"):
        config.settings()


@pytest.mark.parametrize("lifetime", ["0", "601", "ten"])
def test_operation_lifetime_is_bounded_by_ten_minutes(fresh_settings, lifetime):
    """SECURITY.md 5."""
    fresh_settings.setenv("ASSENT_OPERATION_LIFETIME_SECONDS", lifetime)

    with pytest.raises(config.ConfigurationError):
        config.settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ASSENT_SECURE_ACTION_RESEND_SECONDS", "601"),
        ("ASSENT_OPERATION_RETENTION_DAYS", "0"),
        ("ASSENT_ACCESS_TOKEN_SECONDS", "59"),
        ("ASSENT_ACCESS_TOKEN_SECONDS", "901"),
        ("ASSENT_REFRESH_IDLE_DAYS", "31"),  # longer than the session's 30 days
        ("ASSENT_SIWE_DEFAULT_CHAIN_ID", "0"),
        ("ASSENT_RECOVERY_COOLING_OFF_HOURS", "0"),
        ("ASSENT_REQUESTS_PER_USER_PER_MINUTE", "0"),
        ("ASSENT_REQUESTS_PER_CLIENT_PER_MINUTE", "-1"),
    ],
)
def test_a_number_out_of_its_range_stops_the_function_and_is_named(fresh_settings, name, value):
    fresh_settings.setenv(name, value)

    with pytest.raises(config.ConfigurationError, match=f"{name} must be"):
        config.settings()


def test_issued_api_keys_carry_256_random_bits_and_are_distinct():
    keys = {generate_api_key() for _ in range(100)}

    assert len(keys) == 100
    assert all(key.startswith("ak_") and len(key) == 3 + 43 for key in keys)


def test_the_stored_digest_does_not_contain_the_key():
    key = generate_api_key()

    assert key not in hash_api_key(key) and len(hash_api_key(key)) == 64


class _NoLookups:
    """A clients repository that must not be asked: the key is refused before any read."""

    def find(self, key_hash: str) -> ClientRecord | None:
        raise AssertionError("looked up a key that should have been refused unread")


@pytest.mark.parametrize("presented", [None, "", "x" * 19, "x" * 257])
def test_keys_of_impossible_length_are_refused_without_a_lookup(presented):
    service = ClientsService(_NoLookups())  # type: ignore[arg-type]

    with pytest.raises(Unauthenticated):
        service.authenticate(presented)


def _operation(state: OperationState, expires_at: int) -> Operation:
    return Operation(
        client_id="cl", client_name="Shop", operation_id="op", id=1, user_id="AB", key_id="key", node_id="n",
        created_ms=0, expires_at=expires_at, retain_until=expires_at + 100, state=state,
    )  # fmt: skip


def test_a_pending_operation_expires_at_its_deadline():
    operation = _operation(OperationState.PENDING, expires_at=1000)

    assert operation.state_at(999.9) is OperationState.PENDING
    assert operation.state_at(1000) is OperationState.EXPIRED


@pytest.mark.parametrize("state", [OperationState.APPROVED, OperationState.DENIED])
def test_a_decided_operation_keeps_its_state_after_the_deadline(state):
    assert _operation(state, expires_at=1000).state_at(5000) is state


def test_timestamps_are_written_as_javascript_writes_them():
    assert iso8601(1_700_000_000_123) == "2023-11-14T22:13:20.123Z"
    assert iso8601(5) == "1970-01-01T00:00:00.005Z"


def test_validation_errors_name_fields_and_never_echo_input():
    errors = [
        {"loc": ("body", "operationId"), "type": "string_type", "msg": "Input should be a valid string",
         "input": "SECRET"},
        {"loc": ("body", 3), "type": "json_invalid", "msg": "JSON decode error", "input": "SECRET"},
    ]  # fmt: skip

    message = describe_validation_errors(errors)

    assert message == "operationId: Input should be a valid string; 3: malformed JSON"
    assert "SECRET" not in message


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ({"body": "x" * (64 * 1024 + 1)}, "PAYLOAD_TOO_LARGE"),
        ({"body": "{}", "headers": {"content-type": "text/plain"}}, "UNSUPPORTED_MEDIA_TYPE"),
        ({"body": "{}", "headers": {"Content-Type": "application/json; charset=utf-8"}}, None),
        ({"body": '{"a": ' + "[" * 32 + "]" * 32 + "}"}, "INVALID_REQUEST"),
        ({"body": '{"a": ' + "[" * 31 + "]" * 31 + "}"}, None),
        ({"body": ' [{"a": 1}]'}, "INVALID_REQUEST"),  # one object, never an array of them
        ({"body": '{"a": "' + "[" * 100 + '"}'}, None),
        ({"body": "not base64!", "isBase64Encoded": True}, "INVALID_REQUEST"),
        ({"body": None}, None),
    ],
)
def test_bodies_are_refused_before_parsing_only_when_oversized_too_deep_not_json_or_an_array(event, code):
    refusal = body_refusal(event)

    assert (refusal.code if refusal else None) == code


def test_cors_echoes_only_the_configured_origin(fresh_settings):
    fresh_settings.setenv("ASSENT_ALLOWED_ORIGIN", "https://app.example")

    assert cors_headers("https://app.example") == {
        "Access-Control-Allow-Origin": "https://app.example",
        "Vary": "Origin",
    }
    assert cors_headers("https://evil.example") == {}
