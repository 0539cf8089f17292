"""Keyless operations through their Lambda handlers, under moto, with tables from template.yaml."""

from __future__ import annotations

import time

import pytest

from tests.conftest import another_client_key, api_event, invoke
from tests.handlers.keyless import OTHER_USER, USER, backdate, create, get, pending, stored

# --- create ---------------------------------------------------------------------


def test_create_answers_success_and_stores_a_pending_operation(tables, api_key, clock):
    status, headers, body = create(
        api_key, {"operationId": "order-1", "operationPayload": "Pay 5 EUR", "externalUserId": "c-42"}
    )

    assert (status, body) == (200, {"success": True})
    assert headers["Content-Type"] == "application/json"
    [item] = stored(tables)
    assert item["operation_id"] == "order-1"
    assert item["user_id"] == USER
    assert item["payload"] == "Pay 5 EUR"
    assert item["external_user_id"] == "c-42"
    assert item["state"] == "pending"
    assert item["pending_user"] == USER
    # The services' clock, not the wall's: it stands at a minute's first second, up to one second ahead.
    assert item["ttl"] > item["expires_at"] > clock()
    assert item["expires_at"] <= clock() + 600  # SECURITY.md 5


def test_create_with_only_an_operation_id(tables, api_key):
    status, _, body = create(api_key, {"operationId": "minimal"})

    assert (status, body) == (200, {"success": True})
    [item] = stored(tables)
    assert "payload" not in item and "external_user_id" not in item


def test_second_create_of_an_operation_id_is_a_conflict_and_changes_nothing(tables, api_key):
    create(api_key, {"operationId": "dup", "operationPayload": "first"})

    status, _, body = create(api_key, {"operationId": "dup", "operationPayload": "second"})

    assert status == 409
    assert body == {
        "success": False,
        "code": "OPERATION_EXISTS",
        "message": "an operation with this operationId exists",
    }
    [item] = stored(tables)
    assert item["payload"] == "first"


def test_operation_ids_are_unique_per_client_not_across_clients(tables, api_key):
    other = another_client_key()

    assert create(api_key, {"operationId": "same"}).status == 200
    assert create(other, {"operationId": "same"}).status == 200
    assert len(stored(tables)) == 2


def test_an_operation_id_past_its_retention_can_be_used_again(tables, api_key):
    """SECURITY.md 4: an item TTL has not yet deleted counts as gone once its time has passed."""
    create(api_key, {"operationId": "old", "operationPayload": "first"})
    backdate(tables, "old", "ttl")

    status, _, _ = create(api_key, {"operationId": "old", "operationPayload": "second"})

    assert status == 200
    assert [i["payload"] for i in stored(tables)] == ["second"]


# --- bad input: 4xx in Keyless's shape, never 5xx, nothing stored ----------------

BAD_BODIES = {
    "malformed JSON": "{not json",
    "a JSON array": "[1, 2]",
    "missing operationId": {"operationPayload": "x"},
    "operationId of the wrong type": {"operationId": 5},
    "payload of the wrong type": {"operationId": "a", "operationPayload": {"nested": True}},
    "empty operationId": {"operationId": ""},
    "operationId with a slash": {"operationId": "a/b"},
    "operationId too long": {"operationId": "a" * 129},
    "payload too long": {"operationId": "a", "operationPayload": "x" * 8193},
    "externalUserId too long": {"operationId": "a", "externalUserId": "x" * 257},
    "null body": None,
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_get_400_in_keyless_shape_and_store_nothing(tables, api_key, body):
    status, _, answer = create(api_key, body)

    assert status == 400
    assert answer["success"] is False
    assert answer["code"] == "INVALID_REQUEST"
    assert answer["message"]
    assert stored(tables) == []


def test_validation_messages_name_the_field_without_echoing_the_value(tables, api_key):
    secret_looking = "ak_" + "s" * 140
    _, _, answer = create(api_key, {"operationId": secret_looking})

    assert "operationId" in answer["message"]
    assert secret_looking not in answer["message"]


@pytest.mark.parametrize("user", ["0a1b", "XYZ", "0A1B-2C", "A" * 65])
def test_user_id_must_be_upper_case_hex(tables, api_key, user):
    status, _, answer = create(api_key, {"operationId": "a"}, user=user)

    assert status == 400
    assert "userId" in answer["message"]
    assert stored(tables) == []


def test_an_oversized_body_gets_413_and_stores_nothing(tables, api_key):
    status, _, answer = create(api_key, {"operationId": "a", "operationPayload": "x" * (65 * 1024)})

    assert status == 413
    assert answer["code"] == "PAYLOAD_TOO_LARGE"
    assert stored(tables) == []


def test_a_form_body_gets_415_and_stores_nothing(tables, api_key):
    status, _, answer = create(
        api_key, "operationId=a", **{"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert status == 415
    assert answer["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert stored(tables) == []


def test_a_body_without_content_type_is_read_as_json(tables, api_key):
    status, _, _ = create(api_key, {"operationId": "a"}, **{"Content-Type": None})

    assert status == 200


# --- callers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Api-Key": None},
        {"X-Api-Key": "ak_not-a-key-we-issued-000000000"},
        {"X-Api-Key": "short"},
        {"X-Api-Key": None, "Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["missing", "unknown", "malformed", "not bearer"],
)
def test_without_a_valid_api_key_nothing_is_created(tables, api_key, headers):
    """SECURITY.md 26: missing, unknown and malformed keys answer alike."""
    event = api_event(
        "keyless/create_operation.json",
        path_parameters={"userId": USER},
        body={"operationId": "a"},
        headers=headers,
    )

    status, _, body = invoke("CreateOperationFunction", event)

    assert (status, body) == (
        401,
        {"success": False, "code": "UNAUTHENTICATED", "message": "a valid API key is required"},
    )
    assert stored(tables) == []


def test_a_bearer_api_key_is_accepted_as_unloq_sends_it(tables, api_key):
    status, _, _ = create(
        api_key, {"operationId": "a"}, **{"X-Api-Key": None, "Authorization": f"Bearer {api_key}"}
    )

    assert status == 200


def test_a_revoked_key_is_refused_on_the_next_request(tables, api_key):
    from assent import wiring

    client = wiring.clients_service().authenticate(api_key)
    wiring.clients_service().revoke(client.client_id)

    status, _, _ = create(api_key, {"operationId": "a"})

    assert status == 401
    assert stored(tables) == []


def test_api_keys_are_stored_only_as_digests(tables, api_key):
    items = tables["ClientsTable"].scan()["Items"]

    assert len(items) == 1
    assert api_key not in repr(items)


# --- pending list ----------------------------------------------------------------------


def test_pending_lists_the_users_operations_oldest_first_in_keyless_shape(tables, api_key):
    for operation_id in ["first", "second", "third"]:
        create(api_key, {"operationId": operation_id, "operationPayload": f"p-{operation_id}"})
        time.sleep(0.002)  # distinct creation milliseconds, so that the order is defined

    status, _, body = pending(api_key)

    assert status == 200
    assert body == [
        {"operationId": name, "operationPayload": f"p-{name}", "externalUserId": None, "authType": None}
        for name in ["first", "second", "third"]
    ]


def test_pending_shows_neither_other_users_nor_other_clients_operations(tables, api_key):
    """SECURITY.md 17: a client reads only its own."""
    create(api_key, {"operationId": "mine"})
    create(api_key, {"operationId": "other-user"}, user=OTHER_USER)
    create(another_client_key(), {"operationId": "other-client"})

    _, _, body = pending(api_key)

    assert [o["operationId"] for o in body] == ["mine"]


def test_pending_leaves_out_an_expired_operation_still_in_the_table(tables, api_key):
    """SECURITY.md 4: expiry is checked on read, whatever TTL has or has not deleted."""
    create(api_key, {"operationId": "stale"})
    create(api_key, {"operationId": "fresh"})
    backdate(tables, "stale", "expires_at")

    _, _, body = pending(api_key)

    assert [o["operationId"] for o in body] == ["fresh"]


def test_an_operation_that_left_pending_leaves_the_list(tables, api_key):
    create(api_key, {"operationId": "decided"})
    [item] = stored(tables)
    # What a decision does to the item: a new state, and out of the sparse index.
    tables["OperationsTable"].update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET #s = :approved REMOVE pending_user",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":approved": "approved"},
    )

    assert pending(api_key).body == []
    assert get(api_key, "decided").body["state"] == "approved"
    assert get(api_key, "decided").body["result"] is True


def test_pending_for_a_user_with_none_is_an_empty_list(tables, api_key):
    status, _, body = pending(api_key, user="ABCDEF")

    assert (status, body) == (200, [])


# --- get -------------------------------------------------------------------------------


def test_get_answers_the_documented_shape(tables, api_key):
    from assent import wiring

    key_id = wiring.clients_service().authenticate(api_key).key_id
    create(api_key, {"operationId": "order-7", "operationPayload": "Pay", "externalUserId": "c-1"})

    status, _, body = get(api_key, "order-7")

    assert status == 200
    assert set(body) == {
        "id",
        "timestamp",
        "nodeId",
        "userId",
        "apiKey",
        "externalUserId",
        "operationId",
        "operationPayload",
        "result",
        "authType",
        "state",
    }
    assert isinstance(body["id"], int) and 0 <= body["id"] < 2**53
    assert body["timestamp"].endswith("Z")
    assert body["userId"] == USER
    assert body["apiKey"] == key_id
    assert api_key not in str(body)
    assert (body["operationId"], body["operationPayload"], body["externalUserId"]) == (
        "order-7",
        "Pay",
        "c-1",
    )
    assert (body["result"], body["authType"], body["state"]) == (False, None, "pending")
    assert body["nodeId"]


def test_get_of_another_clients_operation_is_not_found(tables, api_key):
    """SECURITY.md 17."""
    create(another_client_key(), {"operationId": "theirs"})

    status, _, body = get(api_key, "theirs")

    assert (status, body["code"]) == (404, "OPERATION_NOT_FOUND")


def test_get_of_an_unknown_operation_is_not_found(tables, api_key):
    assert get(api_key, "never-created").status == 404


def test_get_of_a_pending_operation_past_its_deadline_says_expired(tables, api_key):
    create(api_key, {"operationId": "late"})
    backdate(tables, "late", "expires_at")

    _, _, body = get(api_key, "late")

    assert (body["state"], body["result"]) == ("expired", False)


def test_get_of_an_operation_past_its_retention_is_not_found(tables, api_key):
    create(api_key, {"operationId": "gone"})
    backdate(tables, "gone", "ttl")

    assert get(api_key, "gone").status == 404


def test_get_without_an_api_key_is_refused(tables, api_key):
    create(api_key, {"operationId": "x"})

    assert get(None, "x").status == 401


def test_answers_carry_the_cors_origin(tables, api_key):
    _, headers, _ = get(api_key, "anything")

    assert headers["Access-Control-Allow-Origin"] == "*"
