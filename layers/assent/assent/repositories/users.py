"""The users table: users, the keys they own, and their e-mail addresses, each claim its own item.

Uniqueness (one wallet, one user; one e-mail, one user) is the store's: every claim is created with
`attribute_not_exists(pk)` in the same transaction as the user, never checked by a read first.
"""

from __future__ import annotations

from typing import Any

from assent.users import User


def _user_pk(user_id: str) -> str:
    return f"user#{user_id}"


def _key_pk(key: str) -> str:
    return f"key#{key}"


def _email_pk(email: str) -> str:
    return f"email#{email}"


class UsersRepository:
    # Positions of the items `create_items` returns, so that a failed transaction says which claim clashed.
    USER, KEY, EMAIL = range(3)

    def __init__(self, table) -> None:  # type: ignore[no-untyped-def]
        self._table = table

    def create_items(self, user: User, key: str, *, now: int) -> list[dict[str, Any]]:
        """Transaction items creating a user, its first key and its e-mail claim, each only if absent."""
        items = [
            {
                "pk": _user_pk(user.user_id),
                "kind": "user",
                "user_id": user.user_id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email_verified": user.email_verified,
                "created_ms": user.created_ms,
            },
            {"pk": _key_pk(key), "kind": "key", "user_id": user.user_id, "created_at": now},
            {"pk": _email_pk(user.email), "kind": "email", "user_id": user.user_id},
        ]
        return [
            {
                "Put": {
                    "TableName": self._table.name,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for item in items
        ]

    def mark_email_verified_item(self, user_id: str, email: str) -> dict[str, Any]:
        """A transaction item verifying the user's address, provided it is still the one the code went to."""
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"pk": _user_pk(user_id)},
                "UpdateExpression": "SET email_verified = :yes",
                "ConditionExpression": "attribute_exists(pk) AND email = :email",
                "ExpressionAttributeValues": {":yes": True, ":email": email},
            }
        }

    def get(self, user_id: str) -> User | None:
        item = self._table.get_item(Key={"pk": _user_pk(user_id)}, ConsistentRead=True).get("Item")
        return _user(item) if item else None

    def owner_of(self, key: str) -> str | None:
        """The id of the user who owns a key, if anyone does."""
        item = self._table.get_item(Key={"pk": _key_pk(key)}, ConsistentRead=True).get("Item")
        return str(item["user_id"]) if item else None


def _user(item: dict[str, Any]) -> User:
    return User(
        user_id=str(item["user_id"]),
        email=str(item["email"]),
        first_name=str(item["first_name"]),
        last_name=str(item["last_name"]),
        created_ms=int(item["created_ms"]),
        email_verified=bool(item.get("email_verified", False)),
    )
