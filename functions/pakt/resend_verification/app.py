"""Pakt: e-mail a new verification code (POST /v1/auth/account/verify/resend), at most one a minute."""

from assent.access import user_from_access_token
from assent.core.errors import InvalidToken, NotFound, TooManyRequests
from assent.core.http import entrypoint, refuses
from assent.families import pakt
from assent.wiring import email_verification

app = pakt.resolver()


@app.post("/v1/auth/account/verify/resend")
@refuses(InvalidToken, NotFound, TooManyRequests)
def resend_verification(body: pakt.ResendBody) -> pakt.VerifyAccountResponse:
    user = user_from_access_token(body.tempToken)
    verified = email_verification().resend(user.user_id)
    return pakt.VerifyAccountResponse(
        message="account already verified" if verified else "verification code sent",
        data=pakt.VerifiedData(isVerified=verified),
    )


lambda_handler = entrypoint(app)
