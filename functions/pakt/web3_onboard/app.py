"""Pakt: create the user of a validated wallet and sign them in (POST /v1/auth/web3/onboard)."""

from assent.core.errors import InvalidToken, WalletTaken
from assent.core.http import entrypoint, refuses
from assent.families import pakt
from assent.wiring import wallet_sign_in

app = pakt.resolver()


@app.post("/v1/auth/web3/onboard")
@refuses(InvalidToken, WalletTaken)
def web3_onboard(body: pakt.OnboardBody) -> pakt.OnboardResponse:
    account = wallet_sign_in().onboard(
        body.tempToken, first_name=body.firstName, last_name=body.lastName, email=body.email
    )
    return pakt.OnboardResponse(
        data=pakt.SessionData(
            tempToken=pakt.session_token(account.credentials),
            refreshToken=account.credentials.refresh_token,
            isVerified=account.user.email_verified,
        )
    )


lambda_handler = entrypoint(app)
