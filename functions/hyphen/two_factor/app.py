"""Hyphen: a new device asks the user's registered devices to let it sign in (POST /auth/v1/signin/2fa)."""

from aws_lambda_powertools.event_handler import Response, content_types

from assent.families import hyphen
from assent.http import entrypoint
from assent.services import device_sign_in

app = hyphen.resolver()


@app.post("/auth/v1/signin/2fa")
def request_two_factor(body: hyphen.TwoFactorBody) -> Response[hyphen.TwoFactorResponse]:
    request = device_sign_in().request_two_factor(
        method=body.request.method, token=body.request.token, key=body.userKey.new_key()
    )
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=hyphen.two_factor_response(request)
    )


lambda_handler = entrypoint(app)
