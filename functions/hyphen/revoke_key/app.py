"""Hyphen: revoke one of the signed-in user's keys and end its sessions (DELETE /key/v1/keys/{keyId})."""

from assent.access import UserCaller
from assent.core.errors import KeyNotFound
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import user_keys

app = hyphen.resolver()


@app.delete("/key/v1/keys/<keyId>")
@refuses(KeyNotFound)
def revoke_key(keyId: hyphen.KeyId, user: UserCaller) -> hyphen.RevokedKey:
    return hyphen.RevokedKey(id=keyId, sessionsEnded=user_keys().revoke(user.user_id, keyId))


lambda_handler = entrypoint(app)
