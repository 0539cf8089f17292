"""Hyphen: a device updates what it says of itself and its push token (PUT /device/v1/devices/{publicKey})."""

from assent.access import UserCaller
from assent.core.errors import KeyNotFound
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_registrations

app = hyphen.resolver()


@app.put("/device/v1/devices/<publicKey>")
@refuses(KeyNotFound)
def edit_device(publicKey: hyphen.KeyId, body: hyphen.EditDeviceBody, user: UserCaller) -> hyphen.KeyView:
    key = device_registrations().edit_device(user.user_id, publicKey, body.changes(), body.pushToken)
    return hyphen.key_view(key)


lambda_handler = entrypoint(app)
