"""Hyphen: create an account with its first device key or passkey, and sign in (POST /auth/v1/signup)."""

from aws_lambda_powertools.event_handler import Response, content_types

from assent.families import hyphen
from assent.http import entrypoint
from assent.services import device_sign_in

app = hyphen.resolver()


@app.post("/auth/v1/signup")
def sign_up(body: hyphen.SignUpBody) -> Response[hyphen.SignInResponse]:
    signed_in = device_sign_in().sign_up(
        method=body.method, token=body.token, chain_name=body.chainName, key=body.userKey.new_key()
    )
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=hyphen.sign_in_response(signed_in)
    )


lambda_handler = entrypoint(app)
