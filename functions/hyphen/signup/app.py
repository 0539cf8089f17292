"""Hyphen: create an account with its first device key or passkey (a raw one, or a WebAuthn passkey by its
registration response), and sign in (POST /auth/v1/signup)."""

from assent.core.errors import (
    EmailTaken,
    InvalidKey,
    InvalidToken,
    KeyTaken,
    MethodNotEnabled,
    ProviderUnavailable,
    SignInFailed,
)
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import device_sign_in, passkeys

app = hyphen.resolver()


@app.post("/auth/v1/signup", status_code=201)
@refuses(InvalidKey, MethodNotEnabled, InvalidToken, KeyTaken, EmailTaken, ProviderUnavailable, SignInFailed)
def sign_up(body: hyphen.SignUpBody) -> hyphen.SignInResponse:
    signed_in = device_sign_in().sign_up(
        method=body.method, token=body.token, chain_name=body.chainName, key=body.userKey.new_key(passkeys)
    )
    return hyphen.sign_in_response(signed_in)


lambda_handler = entrypoint(app)
