"""Pakt: verify the user's e-mail with the code sent to it (POST /v1/auth/account/verify)."""

from assent.access import user_from_access_token
from assent.core.errors import CodeLocked, EmailTaken, InvalidCode, InvalidToken
from assent.core.http import entrypoint, refuses
from assent.families import pakt
from assent.wiring import email_verification

app = pakt.resolver()


@app.post("/v1/auth/account/verify")
@refuses(InvalidCode, InvalidToken, CodeLocked, EmailTaken)
def verify_account(body: pakt.VerifyAccountBody) -> pakt.VerifyAccountResponse:
    user = user_from_access_token(body.tempToken)
    email_verification().verify(user.user_id, body.token)
    return pakt.VerifyAccountResponse(message="account verified", data=pakt.VerifiedData(isVerified=True))


lambda_handler = entrypoint(app)
