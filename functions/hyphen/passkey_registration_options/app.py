"""Hyphen: the options a browser or phone makes a new passkey from
(POST /auth/v1/passkeys/registration-options)."""

from assent.core.clock import iso8601
from assent.core.http import entrypoint
from assent.families import hyphen
from assent.wiring import passkeys

app = hyphen.resolver()


@app.post("/auth/v1/passkeys/registration-options")
def registration_options(body: hyphen.RegistrationOptionsBody) -> hyphen.RegistrationOptionsResponse:
    made = passkeys().registration_options(body.displayName)
    return hyphen.RegistrationOptionsResponse(options=made.options, expiresAt=iso8601(made.expires_at * 1000))


lambda_handler = entrypoint(app)
