"""Hyphen: confirm a recovery with the e-mailed code and the new key; the cooling-off begins
(POST /auth/v1/recover/confirm)."""

from assent.core.clock import iso8601
from assent.core.errors import CodeLocked, InvalidCode, RequestsThrottled, SignInFailed
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import passkeys, recovery

app = hyphen.resolver()


@app.post("/auth/v1/recover/confirm", status_code=202)
@refuses(InvalidCode, SignInFailed, CodeLocked, RequestsThrottled)
def confirm_recovery(body: hyphen.RecoverConfirmBody) -> hyphen.RecoverConfirmResponse:
    confirmed = recovery().confirm(body.recoveryId, body.code, body.possession(passkeys))
    return hyphen.RecoverConfirmResponse(
        availableAt=iso8601(confirmed.available_at * 1000),
        challengeData=confirmed.challenge_data,
        number=confirmed.number,
    )


lambda_handler = entrypoint(app)
