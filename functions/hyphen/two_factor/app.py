"""Hyphen: a new device asks the user's registered devices to let it sign in (POST /auth/v1/signin/2fa)."""

from assent.core.errors import (
    AccountNotFound,
    InvalidKey,
    InvalidToken,
    MethodNotEnabled,
    ProviderUnavailable,
    SignInFailed,
    TooManyRequests,
)
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in, passkeys

app = hyphen.resolver()


@app.post("/auth/v1/signin/2fa", status_code=201)
@refuses(
    InvalidKey,
    MethodNotEnabled,
    InvalidToken,
    AccountNotFound,
    TooManyRequests,
    ProviderUnavailable,
    SignInFailed,
)
def request_two_factor(body: hyphen.TwoFactorBody) -> hyphen.TwoFactorResponse:
    request = device_sign_in().request_two_factor(
        method=body.request.method, token=body.request.token, key=body.userKey.new_key(passkeys)
    )
    return hyphen.two_factor_response(request)


lambda_handler = entrypoint(app)
