"""Telling a user's devices that a request waits for them: one data-only push to each live key's device,
once per event however often the event is read (SECURITY.md 41); disabled endpoints are marked and skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assent.core.clock import Clock, iso8601, system_clock
from assent.core.observability import logger
from assent.model.operations import Purpose

if TYPE_CHECKING:
    from assent.adapters.push import MobilePush
    from assent.repositories.users import UsersRepository
    from assent.repositories.webhooks import WebhooksRepository

# Hyphen's SDKs act on `2fa-request` (approve a new device); Assent names its other requests its own way.
NEW_DEVICE_REQUEST = "2fa-request"
APPROVAL_REQUEST = "assent:approval-request"


class Pushes:
    def __init__(
        self,
        users: UsersRepository,
        marks: WebhooksRepository,
        push: MobilePush,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._users = users
        self._marks = marks
        self._push = push
        self._clock = clock

    def notify(self, message: dict[str, Any]) -> int:
        """Push one queued event to the user's devices; how many pushes were sent."""
        kind = NEW_DEVICE_REQUEST if message.get("purpose") == Purpose.NEW_DEVICE.value else APPROVAL_REQUEST
        # What the device needs to fetch its list and find the request; never the request's text.
        data: dict[str, Any] = {
            "requestId": message["requestId"],
            "purpose": message.get("purpose"),
            "expiresAt": message.get("expiresAt"),
        }
        if kind == NEW_DEVICE_REQUEST:
            data["twoFactorAuth"] = _two_factor_status(message)
        sent = 0
        for key in self._users.keys_of(str(message["userId"])):
            if not key.live or key.push_endpoint is None or key.push_disabled:
                continue
            if not self._marks.mark_push(str(message["eventId"]), key.ref, now=self._clock()):
                continue  # pushed when this event was read before
            try:
                delivered = self._push.send(key.push_endpoint, kind, data)
            except Exception:
                # Not sent (SNS throttled, say): unmarked, so that the message's retry sends it.
                self._marks.unmark_push(str(message["eventId"]), key.ref)
                raise
            if delivered:
                sent += 1
            else:
                logger.info("push endpoint disabled; skipped from now on", extra={"key": key.ref})
                self._users.mark_push_disabled(key)
        return sent


def _two_factor_status(message: dict[str, Any]) -> dict[str, Any]:
    """Hyphen's 2FA object, as its SDKs decode a `2fa-request` push: the request's ids and times, and no
    word of what the new device said of itself (the approving device reads that in its pending list)."""
    request_id = str(message["operationId"])
    return {
        "id": request_id,
        "accountId": message["userId"],
        "request": {"id": request_id, "srcDevice": {}, "requestedAt": iso8601(int(message["createdMs"]))},
        "status": "pending",
        "expiresAt": iso8601(int(message["expiresAt"]) * 1000),
    }
