"""Pakt: check a wallet's signature of its message (POST /v1/auth/web3/validate), answering 202."""

import assent.crypto.wallets  # noqa: F401  loaded at init (native secp256k1), not on the first request
from assent.core.errors import KeyReinstatementPending, RequestsThrottled, SignInFailed
from assent.core.http import entrypoint, refuses
from assent.families import pakt
from assent.services.wallet_signin import SignedIn
from assent.wiring import wallet_sign_in

app = pakt.resolver()


@app.post("/v1/auth/web3/validate", status_code=202)
@refuses(SignInFailed, KeyReinstatementPending, RequestsThrottled)
def web3_validate(body: pakt.Web3ValidateBody) -> pakt.Web3ValidateResponse:
    outcome = wallet_sign_in().validate(body.signedMessage, body.tempToken)
    if isinstance(outcome, SignedIn):
        data = pakt.Web3ValidateData(
            account=outcome.account,
            isOnboarded=True,
            tempToken=pakt.session_token(outcome.credentials),
            refreshToken=outcome.credentials.refresh_token,
            isVerified=outcome.user.email_verified,
        )
        message = "signed in"
    else:
        data = pakt.Web3ValidateData(
            account=outcome.account,
            isOnboarded=False,
            tempToken=pakt.step_token(outcome.temp_token, outcome.expires_in),
        )
        message = "web3 validation successful"
    return pakt.Web3ValidateResponse(message=message, data=data)


lambda_handler = entrypoint(app)
