"""Hyphen: sign in with a signed challenge (POST /auth/v1/signin/challenge/respond)."""

from assent.core.errors import SignInFailed
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in

app = hyphen.resolver()


@app.post("/auth/v1/signin/challenge/respond")
@refuses(SignInFailed)
def sign_in_respond(body: hyphen.RespondBody) -> hyphen.SignInResponse:
    signed_in = device_sign_in().respond(body.challengeType, body.challengeData, body.signature)
    return hyphen.sign_in_response(signed_in)


lambda_handler = entrypoint(app)
