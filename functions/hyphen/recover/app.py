"""Hyphen: begin recovering an account onto a new key; the answer is the same for any address
(POST /auth/v1/recover)."""

from assent.core.clock import iso8601
from assent.core.errors import InvalidKey, SignInFailed
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import passkeys, recovery

app = hyphen.resolver()


@app.post("/auth/v1/recover", status_code=202)
@refuses(InvalidKey, SignInFailed)
def recover(body: hyphen.RecoverBody) -> hyphen.RecoverResponse:
    started = recovery().start(body.email, body.userKey.new_key(passkeys))
    return hyphen.RecoverResponse(
        recoveryId=started.recovery_id, expiresAt=iso8601(started.expires_at * 1000)
    )


lambda_handler = entrypoint(app)
