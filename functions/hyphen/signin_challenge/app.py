"""Hyphen: a challenge for a registered key to sign (POST /auth/v1/signin/challenge)."""

from assent.core.clock import iso8601
from assent.core.errors import InvalidKey, PleaseRegisterKey
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in

app = hyphen.resolver()


@app.post("/auth/v1/signin/challenge")
@refuses(InvalidKey, PleaseRegisterKey)
def sign_in_challenge(body: hyphen.ChallengeBody) -> hyphen.ChallengeResponse:
    challenge = device_sign_in().challenge(body.challengeType, body.publicKey.lower())
    return hyphen.ChallengeResponse(
        challengeData=challenge.challenge_data, expiresAt=iso8601(challenge.expires_at * 1000)
    )


lambda_handler = entrypoint(app)
