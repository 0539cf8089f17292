"""Hyphen: begin recovering an account onto a new key; the answer is the same for any address
(POST /auth/v1/recover)."""

from assent.clock import iso8601
from assent.errors import InvalidKey
from assent.families import hyphen
from assent.http import entrypoint, refuses
from assent.services import recovery

app = hyphen.resolver()


@app.post("/auth/v1/recover", status_code=202)
@refuses(InvalidKey)
def recover(body: hyphen.RecoverBody) -> hyphen.RecoverResponse:
    started = recovery().start(body.email, body.userKey.new_key())
    return hyphen.RecoverResponse(
        recoveryId=started.recovery_id, expiresAt=iso8601(started.expires_at * 1000)
    )


lambda_handler = entrypoint(app)
