"""Domain errors: plain exceptions that each API family renders in its own envelope."""

from __future__ import annotations

from typing import ClassVar


class AssentError(Exception):
    """An error the caller can act on; `status` and `code` say how each family reports it."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(AssentError):
    status = 400
    code = "INVALID_REQUEST"


class PayloadTooLarge(AssentError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(AssentError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class Unauthenticated(AssentError):
    status = 401
    code = "UNAUTHENTICATED"


class NotFound(AssentError):
    status = 404
    code = "NOT_FOUND"


class Conflict(AssentError):
    status = 409
    code = "CONFLICT"


class OperationNotFound(NotFound):
    code = "OPERATION_NOT_FOUND"


class OperationExists(Conflict):
    code = "OPERATION_EXISTS"


class ClientNotFound(NotFound):
    code = "CLIENT_NOT_FOUND"


class TooManyRequests(AssentError):
    status = 429
    code = "TOO_MANY_REQUESTS"


class InvalidToken(Unauthenticated):
    """A token that is malformed, forged, expired, of the wrong type, or already used: all look alike."""

    code = "INVALID_TOKEN"


class SignInFailed(Unauthenticated):
    """A sign-in proof that does not hold; replayed, expired and wrongly signed challenges look alike."""

    code = "SIGN_IN_FAILED"


class InvalidRefreshToken(Unauthenticated):
    code = "INVALID_REFRESH_TOKEN"


class WalletTaken(Conflict):
    code = "WALLET_TAKEN"


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"


class InvalidCode(AssentError):
    status = 400
    code = "INVALID_CODE"


class CodeLocked(TooManyRequests):
    code = "CODE_LOCKED"


class Forbidden(AssentError):
    status = 403
    code = "FORBIDDEN"


class Gone(AssentError):
    status = 410
    code = "GONE"


class ServiceUnavailable(AssentError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


class MethodNotEnabled(InvalidRequest):
    code = "METHOD_NOT_ENABLED"


class ProviderUnavailable(ServiceUnavailable):
    code = "PROVIDER_UNAVAILABLE"


class PleaseRegisterKey(AssentError):
    """Hyphen's answer for a key it does not know: unknown and revoked keys look alike (SECURITY.md 26)."""

    status = 400
    code = "PleaseRegisterKey"


class InvalidKey(InvalidRequest):
    code = "INVALID_KEY"


class KeyTaken(Conflict):
    code = "KEY_TAKEN"


class KeyNotFound(NotFound):
    code = "KEY_NOT_FOUND"


class LastKey(Conflict):
    """Removing the user's last live key would leave no way to sign in but recovery."""

    code = "LAST_KEY"


class StepUpRequired(Forbidden):
    """An action that needs a fresh proof by a live key, sent without one."""

    code = "STEP_UP_REQUIRED"


class StepUpRefused(Forbidden):
    """A step-up proof that does not hold: a used, expired or foreign challenge, or a wrong signature."""

    code = "STEP_UP_REFUSED"


class KeyReinstatementPending(Conflict):
    """A revoked wallet proved possession: it signs in again after a cooling-off its user's devices can cut
    short or stop."""

    code = "KEY_REINSTATEMENT_PENDING"


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"


class TwoFactorPending(Conflict):
    code = "TWO_FACTOR_PENDING"


class TwoFactorDenied(Forbidden):
    code = "TWO_FACTOR_DENIED"


class TwoFactorExpired(Gone):
    code = "TWO_FACTOR_EXPIRED"


class ApprovalRefused(Forbidden):
    """A decision not signed by a live key of the operation's user: foreign, revoked and forged look alike."""

    code = "APPROVAL_REFUSED"


class OperationNotPending(Conflict):
    code = "OPERATION_NOT_PENDING"


class RecoveryCoolingOff(Conflict):
    code = "RECOVERY_COOLING_OFF"


class RecoveryDenied(Forbidden):
    code = "RECOVERY_DENIED"


class ResendTooSoon(TooManyRequests):
    """A code was sent for this too recently to send another."""


class FactorLocked(TooManyRequests):
    """Too many failures of one way of proving who one is, in a row: it is locked for a while, and attempts
    meanwhile count for nothing (SECURITY.md 28)."""

    code = "FACTOR_LOCKED"


class FactorDisabled(TooManyRequests):
    """A hundred failures in a row: the factor waits for the user to prove another one, or an operator."""

    code = "FACTOR_DISABLED"


class RequestsThrottled(TooManyRequests):
    """A user has received, or a client has made, as many approval requests as a window allows."""


class TooManyWaiting(TooManyRequests):
    """As many of the client's calls are waiting for decisions as it may have at once."""


class NumberRequired(InvalidRequest):
    code = "NUMBER_REQUIRED"


class NumberMismatch(Forbidden):
    """The number entered on the device is not the one the client showed: the request is denied."""

    code = "NUMBER_MISMATCH"


# UNLOQ's authorisation actions name their errors `AREA.REASON`.


class ActionNotFound(NotFound):
    code = "ACTION.NOT_FOUND"


class ActionExists(Conflict):
    code = "ACTION.EXISTS"


class ActionInactive(Conflict):
    code = "ACTION.INACTIVE"


class VariablesRefused(InvalidRequest):
    """Missing, unknown or unsafe template variables; `names` lists them."""

    code = "ACTION.VARIABLES"

    def __init__(self, message: str, names: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.names = names


class RenderedTooLong(InvalidRequest):
    code = "ACTION.TOO_LONG"


class ApprovalNotFound(NotFound):
    code = "APPROVAL.NOT_FOUND"


class ApprovalDenied(Forbidden):
    code = "APPROVAL.DENIED"


class ApprovalTimeout(Gone):
    """The user did not decide before the request expired."""

    code = "APPROVAL.TIMEOUT"


class ApprovalCancelled(Conflict):
    """The client cancelled the request before the user decided."""

    code = "APPROVAL.CANCELLED"


class NoApprovingDevice(NotFound):
    """No live device key to approve with; an unknown user looks the same (SECURITY.md 26)."""

    code = "APPROVAL.DEVICE"


class WebhookNotFound(NotFound):
    code = "WEBHOOK.NOT_FOUND"


class TooManyEndpoints(Conflict):
    code = "WEBHOOK.TOO_MANY"


# Metasky's secure actions: its messages are the documented sentences.


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class OrderNotFound(AssentError):
    """Metasky documents 405 for a verify naming an order with no secure action."""

    status = 405
    code = "ORDER_NOT_FOUND"


class SecureActionSuperseded(InvalidCode):
    """A newer init for the same order replaced this secure action and its code."""

    code = "SECURE_ACTION_SUPERSEDED"


class SecureActionUsed(Conflict):
    code = "SECURE_ACTION_USED"


class SecureActionExpired(Gone):
    code = "SECURE_ACTION_EXPIRED"


class SecureActionLocked(CodeLocked):
    code = "SECURE_ACTION_LOCKED"


class OrderTypeMismatch(Conflict):
    """The code was sent for an order of another type: the user was told it confirms that one."""

    code = "ORDER_TYPE_MISMATCH"
