"""The users table: users, the keys they own, and their e-mail addresses, each claim its own item.

The user's item counts their live keys (`live_keys`), changed in the same transaction as a key is added,
revoked or reinstated, so that "never revoke the last live key" holds under concurrent revocations.

Uniqueness (one key, one user; one e-mail, one user) is the store's: every claim is created with
`attribute_not_exists(pk)` in a transaction, never checked by a read first. A key is claimed with its user;
an address only once it is verified (by its provider at sign-up, or by the e-mailed code), in the same
write that marks it verified: an address someone typed routes nothing (SECURITY.md 34). A revoked key
keeps its item, marked, so that it can never be claimed by anyone else. A WebAuthn passkey's credential id is
claimed the same way, with its key (`credential#<digest>`), so that it belongs to one user (SECURITY.md 40).
"""

from __future__ import annotations

import contextlib
from typing import Any

from boto3.dynamodb.conditions import Key

from assent.model.lockout import RECOVERY_FAILURES_PER_WINDOW, RECOVERY_WINDOW_SECONDS, Factor, FactorState
from assent.model.passkeys import passkey_fields, stored_passkey
from assent.model.users import KeyHolder, KeyRecord, User
from assent.repositories.reads import all_items, plain
from assent.repositories.transactions import Write

BY_USER_INDEX = "by-user"
# More keys than this on one user is abuse, not use.
MAX_KEYS_LISTED = 100


def _user_pk(user_id: str) -> str:
    return f"user#{user_id}"


def _key_pk(key: str) -> str:
    return f"key#{key}"


def _credential_pk(digest: str) -> str:
    return f"credential#{digest}"


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
        return [_put_if_absent(self._table.name, item), *self.add_key_items(key, key_taken=key_taken)]

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

    def add_key_items(self, key: KeyRecord, *, key_taken: Exception) -> list[Write]:
        """Writes registering a key, and a passkey's credential id, only if no one has either (refused with
        `key_taken`)."""
        writes = [_put_if_absent(self._table.name, _key_item(key)).refused_with(key_taken)]
        if key.passkey is not None:
            claim = {"pk": _credential_pk(key.passkey.digest), "kind": "credential", "key": key.ref}
            writes.append(
                _put_if_absent(self._table.name, {**claim, "user_id": key.user_id}).refused_with(key_taken)
            )
        return writes

    def edit_device(
        self, key: KeyRecord, device: dict[str, str], push_token: str | None, push_endpoint: str | None = None
    ) -> bool:
        """Replace what a live key's device says of itself (and its push token and the SNS endpoint made for
        it, when given); False if the key was revoked, or is not this user's, meanwhile."""
        values: dict[str, Any] = {":device": device, ":user": key.user_id}
        update = "SET device = :device"
        if push_token is not None:
            update += ", push_token = :push"
            values[":push"] = push_token
        if push_endpoint is not None:
            update += ", push_endpoint = :endpoint REMOVE push_disabled"
            values[":endpoint"] = push_endpoint
        try:
            self._table.update_item(
                Key={"pk": _key_pk(key.ref)},
                UpdateExpression=update,
                ConditionExpression="user_id = :user AND attribute_not_exists(revoked_at)",
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_push_disabled(self, key: KeyRecord) -> None:
        """Note that SNS disabled the key's push endpoint: it is skipped until the device registers again."""
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self._table.update_item(
                Key={"pk": _key_pk(key.ref)},
                UpdateExpression="SET push_disabled = :yes",
                ConditionExpression="push_endpoint = :endpoint",
                ExpressionAttributeValues={":yes": True, ":endpoint": key.push_endpoint},
            )

    def key_by_credential(self, digest: str) -> KeyHolder | None:
        """The passkey whose credential id has this digest, and its user (a discoverable sign-in names no
        user, only its credential)."""
        item = self._table.get_item(Key={"pk": _credential_pk(digest)}, ConsistentRead=True).get("Item")
        return self.key_holder(str(item["key"]), str(item["user_id"])) if item else None

    def passkey_used_item(
        self, key: KeyRecord, *, seen_count: int, sign_count: int, backed_up: bool, now: int
    ) -> Write:
        """A write recording a passkey's use: its new sign count, backup state and time, only if it is live
        and its count is still `seen_count`, the one the assertion was checked against (two uses at once:
        one wins)."""
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _key_pk(key.ref)},
                    "UpdateExpression": (
                        "SET passkey.sign_count = :count, passkey.backed_up = :backed_up,"
                        " passkey.last_used_at = :now"
                    ),
                    "ConditionExpression": (
                        "user_id = :user AND attribute_not_exists(revoked_at) AND passkey.sign_count = :seen"
                    ),
                    "ExpressionAttributeValues": {
                        ":count": sign_count,
                        ":backed_up": backed_up,
                        ":now": now,
                        ":user": key.user_id,
                        ":seen": seen_count,
                    },
                }
            }
        )

    def flag_clone(self, key: KeyRecord, *, now: int) -> None:
        """Mark a passkey whose sign count went backwards: a copy of it may be in someone else's hands."""
        self._table.update_item(
            Key={"pk": _key_pk(key.ref)},
            UpdateExpression=(
                "SET passkey.clone_suspected_at = if_not_exists(passkey.clone_suspected_at, :now)"
            ),
            ConditionExpression="attribute_exists(passkey)",
            ExpressionAttributeValues={":now": now},
        )

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

    def count_failure(self, user_id: str, factor: Factor, *, now: int) -> int | None:
        """Count one more failure of `factor` in a row; the run's length, or None if the factor is locked or
        disabled (the attempt then counts for nothing) or the user is gone."""
        client = self._table.meta.client
        try:
            answer = self._table.update_item(
                Key={"pk": _user_pk(user_id)},
                UpdateExpression=f"ADD {factor.failures_attribute} :one",
                ConditionExpression=f"attribute_exists(pk) AND {_open(factor)}",
                ExpressionAttributeValues={":one": 1, ":now": now},
                ReturnValues="UPDATED_NEW",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return None
        return int(answer["Attributes"][factor.failures_attribute])

    def lock_factor(self, user_id: str, factor: Factor, *, until: int, disable: bool) -> None:
        """Lock `factor` until `until` (a lock never shortens), and disable it if `disable`."""
        expression = f"SET {factor.locked_until_attribute} = :until"
        if disable:
            expression += f", {factor.disabled_attribute} = :yes"
        with contextlib.suppress(self._table.meta.client.exceptions.ConditionalCheckFailedException):
            # Refused when a concurrent failure locked it for longer already.
            self._table.update_item(
                Key={"pk": _user_pk(user_id)},
                UpdateExpression=expression,
                ConditionExpression=(
                    f"attribute_not_exists({factor.locked_until_attribute})"
                    f" OR {factor.locked_until_attribute} < :until"
                ),
                ExpressionAttributeValues={":until": until, **({":yes": True} if disable else {})},
            )

    def proved_item(
        self,
        user_id: str,
        factor: Factor,
        *,
        now: int,
        verified_email: str | None = None,
        recovering: bool = False,
    ) -> Write:
        """A write that holds only while `factor` is open for `user_id`, and, the user having proved it, ends
        its run of failures and enables every other factor disabled (SECURITY.md 28). With `verified_email`
        it also marks that address verified, provided it is still the user's; with `recovering` it holds
        only while the account may still recover (fewer than 10 failed recovery codes in its window)."""
        removed = [factor.failures_attribute, factor.locked_until_attribute]
        removed += [other.disabled_attribute for other in Factor if other is not factor]
        expression = "REMOVE " + ", ".join(removed)
        condition = f"attribute_exists(pk) AND {_open(factor)}"
        values: dict[str, Any] = {":now": now}
        if verified_email is not None:
            expression = "SET email_verified = :yes " + expression
            condition += " AND email = :email"
            values.update({":yes": True, ":email": verified_email})
        if recovering:
            condition += f" AND {_RECOVERY_OPEN}"
            values[":most"] = RECOVERY_FAILURES_PER_WINDOW
        return Write(
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _user_pk(user_id)},
                    "UpdateExpression": expression,
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": values,
                }
            }
        )

    def reset_lockout(self, user_id: str, factors: list[Factor]) -> bool:
        """An operator's reset: end the runs of failures, locks and disabling of `factors` (and, with the
        recovery code's, its 24-hour window); False if there is no such user."""
        removed = [
            attribute
            for factor in factors
            for attribute in (
                factor.failures_attribute,
                factor.locked_until_attribute,
                factor.disabled_attribute,
            )
        ]
        if Factor.RECOVERY_CODE in factors:
            removed += ["recovery_failures", "recovery_window_until"]
        try:
            self._table.update_item(
                Key={"pk": _user_pk(user_id)},
                UpdateExpression="REMOVE " + ", ".join(removed),
                ConditionExpression="attribute_exists(pk)",
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def count_recovery_failure(self, user_id: str, *, now: int) -> bool:
        """Count a failed recovery code in the account's 24-hour window, opening a window if none is open;
        False when the window is full already (the failure is not counted, and recovery stays refused)."""
        table, client = self._table, self._table.meta.client
        try:
            table.update_item(
                Key={"pk": _user_pk(user_id)},
                UpdateExpression="ADD recovery_failures :one",
                ConditionExpression="recovery_window_until > :now AND recovery_failures < :most",
                ExpressionAttributeValues={":one": 1, ":now": now, ":most": RECOVERY_FAILURES_PER_WINDOW},
            )
            return True
        except client.exceptions.ConditionalCheckFailedException:
            pass
        try:
            table.update_item(
                Key={"pk": _user_pk(user_id)},
                UpdateExpression="SET recovery_failures = :one, recovery_window_until = :until",
                ConditionExpression=(
                    "attribute_exists(pk) AND "
                    "(attribute_not_exists(recovery_window_until) OR recovery_window_until <= :now)"
                ),
                ExpressionAttributeValues={":one": 1, ":now": now, ":until": now + RECOVERY_WINDOW_SECONDS},
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False  # the window is open and full
        return True

    def recovery_open_item(self, user_id: str, *, now: int) -> Write:
        """A write that holds only while the account may still recover: fewer than 10 failed recovery codes
        in its current window, and the recovery-code factor neither locked nor disabled."""
        return Write(
            {
                "ConditionCheck": {
                    "TableName": self._table.name,
                    "Key": {"pk": _user_pk(user_id)},
                    "ConditionExpression": (
                        f"attribute_exists(pk) AND {_RECOVERY_OPEN} AND {_open(Factor.RECOVERY_CODE)}"
                    ),
                    "ExpressionAttributeValues": {":now": now, ":most": RECOVERY_FAILURES_PER_WINDOW},
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
    if key.passkey is not None:
        item["passkey"] = passkey_fields(key.passkey)
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
        passkey=stored_passkey(plain(item["passkey"])) if item.get("passkey") else None,
        push_endpoint=str(item["push_endpoint"]) if item.get("push_endpoint") else None,
        push_disabled=bool(item.get("push_disabled", False)),
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
        factors={factor: FactorState.of(item, factor) for factor in Factor},
    )


# The account may still recover: fewer than `:most` failed recovery codes in its window, if one is open.
_RECOVERY_OPEN = (
    "(attribute_not_exists(recovery_window_until) OR recovery_window_until <= :now"
    " OR recovery_failures < :most)"
)


def _open(factor: Factor) -> str:
    """The condition that `factor` is neither locked (at `:now`) nor disabled."""
    return (
        f"(attribute_not_exists({factor.locked_until_attribute}) OR {factor.locked_until_attribute} <= :now)"
        f" AND attribute_not_exists({factor.disabled_attribute})"
    )
