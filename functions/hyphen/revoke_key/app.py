"""Hyphen: revoke one of the signed-in user's keys, proved by a live key, and end its sessions
(DELETE /key/v1/keys/{keyId})."""

from assent.access import UserCaller
from assent.core.errors import InvalidKey, KeyNotFound, LastKey, StepUpRefused, StepUpRequired
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import user_keys

app = hyphen.resolver()


@app.delete("/key/v1/keys/<keyId>")
@refuses(KeyNotFound, InvalidKey, StepUpRequired, StepUpRefused, LastKey)
def revoke_key(
    keyId: hyphen.KeyId, user: UserCaller, body: hyphen.StepUpProofBody | None = None
) -> hyphen.RevokedKey:
    # An access token alone does not remove a key: whoever holds one for a moment must not lock the user
    # out (SECURITY.md 35).
    if body is None:
        raise StepUpRequired(
            "removing a key takes a live key's signature of a challenge: POST /key/v1/keys/{keyId}/challenge"
        )
    return hyphen.RevokedKey(id=keyId, sessionsEnded=user_keys().revoke(user.user_id, keyId, body.proof()))


lambda_handler = entrypoint(app)
