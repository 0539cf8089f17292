"""Hyphen: sign in with a signed challenge, or a passkey's WebAuthn assertion of it
(POST /auth/v1/signin/challenge/respond)."""

from assent.core.errors import KeyTaken, SignInFailed
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in, passkeys

app = hyphen.resolver()


@app.post("/auth/v1/signin/challenge/respond")
@refuses(SignInFailed, KeyTaken)
def sign_in_respond(body: hyphen.RespondBody) -> hyphen.SignInResponse:
    if body.credential is not None:
        signed_in = passkeys().sign_in(body.challengeData, body.credential.model_dump())
    elif (new_key := body.new_device_key) is not None:
        signed_in = device_sign_in().respond_with_recovery_key(body.challengeData, body.signature, new_key)
    else:
        signed_in = device_sign_in().respond(body.challengeType, body.challengeData, body.signature)
    return hyphen.sign_in_response(signed_in)


lambda_handler = entrypoint(app)
