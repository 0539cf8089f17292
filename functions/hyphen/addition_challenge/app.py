"""Hyphen: a challenge one of the signed-in user's live keys answers to add a key (a passkey, a recovery key)
to the account (POST /key/v1/keys/challenge)."""

from assent.access import UserCaller
from assent.core.http import entrypoint
from assent.families import hyphen
from assent.wiring import user_keys

app = hyphen.resolver()


@app.post("/key/v1/keys/challenge", status_code=201)
def addition_challenge(user: UserCaller) -> hyphen.StepUpChallengeResponse:
    return hyphen.step_up_challenge_response(user_keys().addition_challenge(user.user_id))


lambda_handler = entrypoint(app)
