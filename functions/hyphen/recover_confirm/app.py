"""Hyphen: confirm a recovery with the e-mailed code and the new key; the cooling-off begins
(POST /auth/v1/recover/confirm)."""

from aws_lambda_powertools.event_handler import Response, content_types

from assent.clock import iso8601
from assent.families import hyphen
from assent.http import entrypoint
from assent.services import recovery

app = hyphen.resolver()


@app.post("/auth/v1/recover/confirm")
def confirm_recovery(body: hyphen.RecoverConfirmBody) -> Response[hyphen.RecoverConfirmResponse]:
    confirmed = recovery().confirm(body.recoveryId, body.code, body.signature.lower())
    answer = hyphen.RecoverConfirmResponse(
        availableAt=iso8601(confirmed.available_at * 1000), challengeData=confirmed.challenge_data
    )
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=answer)


lambda_handler = entrypoint(app)
