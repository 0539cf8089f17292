"""Pakt: the Sign-In with Ethereum message for a wallet to sign (POST /v1/auth/web3/request)."""

from assent.core.http import entrypoint
from assent.families import pakt
from assent.wiring import wallet_sign_in

app = pakt.resolver()


@app.post("/v1/auth/web3/request")
def web3_request(body: pakt.Web3RequestBody) -> pakt.Web3RequestResponse:
    challenge = wallet_sign_in().request(body.account, body.chainId)
    return pakt.Web3RequestResponse(
        data=pakt.Web3RequestData(
            message=challenge.message,
            tempToken=pakt.ChallengeHandle(token=challenge.handle, expiresIn=challenge.expires_in),
        )
    )


lambda_handler = entrypoint(app)
