"""Hyphen: a challenge for a registered key to sign, or for any of the site's passkeys to answer
(POST /auth/v1/signin/challenge)."""

from assent.core.clock import iso8601
from assent.core.errors import (
    InvalidKey,
    InvalidToken,
    MethodNotEnabled,
    PleaseRegisterKey,
    ProviderUnavailable,
)
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in, passkeys

app = hyphen.resolver()


@app.post("/auth/v1/signin/challenge")
@refuses(InvalidKey, PleaseRegisterKey, InvalidToken, MethodNotEnabled, ProviderUnavailable)
def sign_in_challenge(body: hyphen.ChallengeBody) -> hyphen.ChallengeResponse:
    public_key = body.publicKey.lower() if body.publicKey else None
    identity = (body.request.method, body.request.token) if body.request else None
    challenge = device_sign_in().challenge(body.challengeType, public_key, identity)
    allowed = [challenge.passkey] if challenge.passkey else []
    return hyphen.ChallengeResponse(
        challengeData=challenge.challenge_data,
        expiresAt=iso8601(challenge.expires_at * 1000),
        # A passkey may answer by WebAuthn: the options navigator.credentials.get() takes.
        publicKey=passkeys().request_options(challenge.challenge_data, allowed)
        if body.challengeType == "passKey"
        else None,
    )


lambda_handler = entrypoint(app)
