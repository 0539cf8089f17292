"""Pushes to devices through SNS mobile push: an endpoint per device token, and data-only messages in the
shape Hyphen's SDKs read (`hyphen:type`, `hyphen:data`), never the text of a request."""

from __future__ import annotations

import json
from typing import Any

# Device systems whose pushes go through APNs; every other one through FCM.
_APPLE_SYSTEMS = frozenset({"ios", "ipados", "macos", "watchos", "visionos"})


class MobilePush:
    def __init__(self, sns_client: Any, *, fcm_application_arn: str, apns_application_arn: str) -> None:
        self._sns = sns_client
        self._fcm = fcm_application_arn
        self._apns = apns_application_arn

    @property
    def enabled(self) -> bool:
        return bool(self._fcm or self._apns)

    def register(self, token: str, os_name: str | None) -> str | None:
        """The SNS endpoint for a device's token (SNS gives the same one for the same token); None if its
        platform's pushes are off in this deployment."""
        apple = (os_name or "").replace(" ", "").lower() in _APPLE_SYSTEMS
        application = self._apns if apple else self._fcm
        if not application:
            return None
        answer = self._sns.create_platform_endpoint(PlatformApplicationArn=application, Token=token)
        return str(answer["EndpointArn"])

    def send(self, endpoint_arn: str, kind: str, data: dict[str, Any]) -> bool:
        """Push a data-only message; False if SNS says the endpoint is disabled."""
        fields = {"hyphen:type": kind, "hyphen:data": json.dumps(data, separators=(",", ":"))}
        message = {
            "default": kind,
            # FCM's HTTP v1 message, data only: the app decides what to show after fetching its list.
            "GCM": json.dumps(
                {"fcmV1Message": {"message": {"data": fields, "android": {"priority": "high"}}}}
            ),
            # A background push: the app wakes, fetches, and shows what it found.
            "APNS": json.dumps({"aps": {"content-available": 1}, **fields}),
            "APNS_SANDBOX": json.dumps({"aps": {"content-available": 1}, **fields}),
        }
        try:
            self._sns.publish(TargetArn=endpoint_arn, MessageStructure="json", Message=json.dumps(message))
        except self._sns.exceptions.EndpointDisabledException:
            return False
        return True
