"""Hyphen: begin recovering an account onto a new key; the answer is the same for any address
(POST /auth/v1/recover)."""

from aws_lambda_powertools.event_handler import Response, content_types

from assent.clock import iso8601
from assent.families import hyphen
from assent.http import entrypoint
from assent.services import recovery

app = hyphen.resolver()


@app.post("/auth/v1/recover")
def recover(body: hyphen.RecoverBody) -> Response[hyphen.RecoverResponse]:
    started = recovery().start(body.email, body.userKey.new_key())
    answer = hyphen.RecoverResponse(
        recoveryId=started.recovery_id, expiresAt=iso8601(started.expires_at * 1000)
    )
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=answer)


lambda_handler = entrypoint(app)
