"""Hyphen: after the cooling-off, register the recovered account's new key and sign in
(POST /auth/v1/recover/finish)."""

from assent.core.errors import KeyTaken, OperationNotFound, RecoveryCoolingOff, RecoveryDenied, SignInFailed
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import passkeys, recovery

app = hyphen.resolver()


@app.post("/auth/v1/recover/finish")
@refuses(SignInFailed, OperationNotFound, KeyTaken, RecoveryCoolingOff, RecoveryDenied)
def finish_recovery(body: hyphen.RecoverFinishBody) -> hyphen.SignInResponse:
    return hyphen.sign_in_response(recovery().finish(body.recoveryId, body.possession(passkeys)))


lambda_handler = entrypoint(app)
