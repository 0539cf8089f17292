"""Hyphen: register a recovery key, a P-256 key the phone's cloud keychain syncs, proved by a live key
(POST /key/v1/recovery)."""

from assent.access import UserCaller
from assent.core.errors import InvalidKey, KeyTaken, StepUpRefused, StepUpRequired
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import user_keys

app = hyphen.resolver()


@app.post("/key/v1/recovery", status_code=201)
@refuses(InvalidKey, StepUpRequired, StepUpRefused, KeyTaken)
def register_recovery_key(body: hyphen.RecoveryKeyBody, user: UserCaller) -> hyphen.KeysResponse:
    # Hyphen's SDKs send no proof; a key that signs the account in must not be added with an access token
    # alone (SECURITY.md 35).
    if body.proof is None:
        raise StepUpRequired(
            "adding a recovery key takes a live key's answer to POST /key/v1/keys/challenge, as `proof`"
        )
    keys = user_keys()
    keys.add(user.user_id, body.new_key(), body.proof.proof())
    return hyphen.KeysResponse(keys=[hyphen.key_view(key) for key in keys.list(user.user_id)])


lambda_handler = entrypoint(app)
