"""Hyphen: add a WebAuthn passkey to the signed-in user's account, proved by a live key
(POST /key/v1/passkeys)."""

from assent.access import UserCaller
from assent.core.errors import InvalidKey, KeyTaken, SignInFailed, StepUpRefused
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import passkeys, user_keys

app = hyphen.resolver()


@app.post("/key/v1/passkeys", status_code=201)
@refuses(InvalidKey, SignInFailed, StepUpRefused, KeyTaken)
def add_passkey(body: hyphen.AddPasskeyBody, user: UserCaller) -> hyphen.KeyView:
    record = user_keys().add(user.user_id, body.passkey.new_key(passkeys), body.proof.proof())
    return hyphen.key_view(record)


lambda_handler = entrypoint(app)
