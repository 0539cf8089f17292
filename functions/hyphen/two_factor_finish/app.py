"""Hyphen: an approved new device registers its key and signs in (POST /auth/v1/signin/2fa/finish)."""

from assent.core.errors import (
    KeyTaken,
    OperationNotFound,
    SignInFailed,
    TwoFactorDenied,
    TwoFactorExpired,
    TwoFactorPending,
)
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in, passkeys

app = hyphen.resolver()


@app.post("/auth/v1/signin/2fa/finish")
@refuses(SignInFailed, OperationNotFound, TwoFactorPending, KeyTaken, TwoFactorDenied, TwoFactorExpired)
def finish_two_factor(body: hyphen.FinishBody) -> hyphen.SignInResponse:
    signed_in = device_sign_in().finish_two_factor(body.twoFactorAuthRequestId, body.possession(passkeys))
    return hyphen.sign_in_response(signed_in)


lambda_handler = entrypoint(app)
