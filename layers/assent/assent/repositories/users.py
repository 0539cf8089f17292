"""The users table: users, the keys they own, and their e-mail addresses, each claim its own item.

The user's item counts their live keys (`live_keys`), changed in the same transaction as a key is added,
revoked or reinstated, so that "never revoke the last live key" holds under concurrent revocations.

Uniqueness (one key, one user; one e-mail, one user) is the store's: every claim is created with
`attribute_not_exists(pk)` in a transaction, never checked by a read first. A key is claimed with its user;
an address only once it is verified (by its provider at sign-up, or by the e-mailed code), in the same
write that marks it verified: an address someone typed routes nothing (SECURITY.md 34). A revoked key
keeps its item, marked, so that it can never be claimed by anyone else.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from assent.model.users import KeyHolder, KeyRecord, User
from assent.repositories.reads import all_items
from assent.repositories.transactions import Write

BY_USER_INDEX = "by-user"
# More keys than this on one user is abuse, not use.
MAX_KEYS_LISTED = 100


def _user_pk(user_id: str) -> str:
    return f"user#{user_id}"


def _key_pk(key: str) -> str:
    return f"key#{key}"


def _email_pk(email: str) -> str:
    return f"email#{email}"


class UsersRepository:
    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    @property
    def client(self) -> Any:
        """The low-level client, for transactions this repository takes part in."""
        return self._table.meta.client

    def create_items(self, user: User, key: KeyRecord, *, key_taken: Exception) -> list[Write]:
        """Writes creating a user and its first key, each only if absent; a key held already is refused with
        `key_taken`. The address is claimed apart (`claim_email_item`), once verified."""
        item: dict[str, Any] = {
            "pk": _user_pk(user.user_id),
            "kind": "user",
            "user_id": user.user_id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email_verified": user.email_verified,
            "created_ms": user.created_ms,
            "live_keys": 1,
        }
        if user.chain_name is not None:
            item.update(chain_name=user.chain_name, account_deployed=user.account_deployed)
        return [
            _put_if_absent(self._table.name, item),
            _put_if_absent(self._table.name, _key_item(key)).refused_with(key_taken),
        ]

    def claim_email_item(self, user_id: str, email: str) -> Write:
        """A write claiming a verified address for `user_id`, unless another user holds it."""
        return Write(
            {
                "Put": {
                    "TableName": self._table.name,
                    "Item": {"pk": _email_pk(email), "kind": "email", "user_id": user_id},
                    "ConditionExpression": "attribute_not_exists(pk) OR user_id = :user",
                    "ExpressionAttributeValues": {":user": user_id},
                }
            }
        )

    def add_key_item(self, key: KeyRecord) -> Write:
        """A write registering one more key for an existing user, only if no one has it."""
        return _put_if_absent(self._table.name, _key_item(key))

    def count_live_keys_item(self, user_id: str, change: int) -> Write:
        """A write adding `change` to the user's live keys; a decrease holds only while another live key
        remains (refuse it with LastKey)."""
        update: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": {"pk": _user_pk(user_id)},
            "UpdateExpression": "ADD live_keys :change",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":change": change},
        }
        if change < 0:
            update["ConditionExpression"] = "live_keys > :remaining"
            update["ExpressionAttributeValues"][":remaining"] = -change
        return Write({"Update": update})

    def revoke_key_item(self, ref: str, user_id: str, *, now: int) -> Write:
        """A write marking a live key of this user revoked; a revoked key, anyone else's or none fails it."""
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _key_pk(ref)},
                    "UpdateExpression": "SET revoked_at = :now",
                    "ConditionExpression": "user_id = :user AND attribute_not_exists(revoked_at)",
                    "ExpressionAttributeValues": {":now": now, ":user": user_id},
                }
            }
        )

    def reinstate_key_item(self, key: KeyRecord) -> Write:
        """A write making a revoked key live again, provided it is still revoked as `key` was read."""
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _key_pk(key.ref)},
                    "UpdateExpression": "REMOVE revoked_at",
                    "ConditionExpression": "user_id = :user AND revoked_at = :at",
                    "ExpressionAttributeValues": {":user": key.user_id, ":at": key.revoked_at},
                }
            }
        )

    def live_key_check_item(self, ref: str, user_id: str) -> Write:
        """A write that holds only while `ref` is a live key of `user_id` (SECURITY.md 13)."""
        return Write(
            {
                "ConditionCheck": {
                    "TableName": self._table.name,
                    "Key": {"pk": _key_pk(ref)},
                    "ConditionExpression": "user_id = :user AND attribute_not_exists(revoked_at)",
                    "ExpressionAttributeValues": {":user": user_id},
                }
            }
        )

    def mark_email_verified_item(self, user_id: str, email: str) -> Write:
        """A write verifying the user's address, provided it is still the one the code went to."""
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _user_pk(user_id)},
                    "UpdateExpression": "SET email_verified = :yes",
                    "ConditionExpression": "attribute_exists(pk) AND email = :email",
                    "ExpressionAttributeValues": {":yes": True, ":email": email},
                }
            }
        )

    def get(self, user_id: str) -> User | None:
        item = self._table.get_item(Key={"pk": _user_pk(user_id)}, ConsistentRead=True).get("Item")
        return _user(item) if item else None

    def key(self, ref: str) -> KeyRecord | None:
        """A key as stored, live or revoked."""
        item = self._table.get_item(Key={"pk": _key_pk(ref)}, ConsistentRead=True).get("Item")
        return _key(item) if item else None

    def key_holder(self, ref: str, user_id: str) -> KeyHolder | None:
        """A key and the user who holds it, in one round trip (a consistent BatchGetItem); None unless both
        exist and the key is that user's."""
        keys = [{"pk": _key_pk(ref)}, {"pk": _user_pk(user_id)}]
        request = {self._table.name: {"Keys": keys, "ConsistentRead": True}}
        items: list[dict[str, Any]] = []
        while request:
            answer = self._table.meta.client.batch_get_item(RequestItems=request)
            items += answer["Responses"].get(self._table.name, [])
            request = answer.get("UnprocessedKeys") or {}
        by_pk = {item["pk"]: item for item in items}
        key, user = by_pk.get(_key_pk(ref)), by_pk.get(_user_pk(user_id))
        if key is None or user is None or key["user_id"] != user["user_id"]:
            return None
        return KeyHolder(_key(key), _user(user))

    def user_id_by_email(self, email: str) -> str | None:
        """The user who has verified this address, if any."""
        item = self._table.get_item(Key={"pk": _email_pk(email)}, ConsistentRead=True).get("Item")
        return str(item["user_id"]) if item else None

    def keys_of(self, user_id: str) -> list[KeyRecord]:
        """A user's keys, live and revoked, from the by-user index (for display, never for a decision)."""
        items = all_items(
            self._table.query,
            limit=MAX_KEYS_LISTED,
            IndexName=BY_USER_INDEX,
            KeyConditionExpression=Key("user_id").eq(user_id) & Key("pk").begins_with("key#"),
        )
        return [_key(item) for item in items]


def _put_if_absent(table_name: str, item: dict[str, Any]) -> Write:
    return Write(
        {"Put": {"TableName": table_name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
    )


def _key_item(key: KeyRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": _key_pk(key.ref),
        "kind": "key",
        "user_id": key.user_id,
        "key_type": key.key_type,
        "public_key": key.public_key,
        "created_at": key.created_at,
    }
    if key.device:
        item["device"] = key.device
    return item


def _key(item: dict[str, Any]) -> KeyRecord:
    device = item.get("device")
    return KeyRecord(
        ref=str(item["pk"]).removeprefix("key#"),
        user_id=str(item["user_id"]),
        key_type=str(item["key_type"]),
        public_key=str(item["public_key"]),
        created_at=int(item["created_at"]),
        device={str(k): str(v) for k, v in device.items()} if device else None,
        revoked_at=int(item["revoked_at"]) if item.get("revoked_at") is not None else None,
    )


def _user(item: dict[str, Any]) -> User:
    return User(
        user_id=str(item["user_id"]),
        email=str(item["email"]),
        first_name=str(item["first_name"]),
        last_name=str(item["last_name"]),
        created_ms=int(item["created_ms"]),
        email_verified=bool(item.get("email_verified", False)),
        chain_name=str(item["chain_name"]) if item.get("chain_name") else None,
        account_deployed=bool(item.get("account_deployed", False)),
    )
