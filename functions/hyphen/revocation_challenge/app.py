"""Hyphen: a challenge one of the signed-in user's live keys signs to revoke a key
(POST /key/v1/keys/{keyId}/challenge)."""

from assent.access import UserCaller
from assent.core.errors import KeyNotFound
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import user_keys

app = hyphen.resolver()


@app.post("/key/v1/keys/<keyId>/challenge", status_code=201)
@refuses(KeyNotFound)
def revocation_challenge(keyId: hyphen.KeyId, user: UserCaller) -> hyphen.StepUpChallengeResponse:
    return hyphen.step_up_challenge_response(user_keys().revocation_challenge(user.user_id, keyId))


lambda_handler = entrypoint(app)
