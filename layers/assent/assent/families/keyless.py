"""Keyless operations (seed 002): request and answer shapes exactly as its docs show them.

Keyless documents no error body; errors here mirror its success shape: `{"success": false, code, message}`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AfterValidator, BaseModel, Field

from assent.core.clock import iso8601
from assent.core.http import ErrorEnvelope, FamilyResolver, build_resolver
from assent.model.display_text import DisplayLines, DisplayText
from assent.model.operations import Operation, OperationState

USER_ID_PATTERN = r"^[0-9A-F]{1,64}$"
OPERATION_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
# Bytes, not characters: a device lists up to a hundred of them, and 2 KiB is a long screen of text.
MAX_PAYLOAD_BYTES = 2048
MAX_EXTERNAL_USER_ID_CHARS = 256

UserId = Annotated[str, Path(pattern=USER_ID_PATTERN, description="The user id: an upper-case hex string")]
OperationId = Annotated[
    str, Path(pattern=OPERATION_ID_PATTERN, description="The client's own operation identifier")
]
AuthType = Literal["biom", "pin"]
State = Literal["pending", "approved", "denied", "expired", "cancelled"]


def _within_bytes(text: str) -> str:
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"must be at most {MAX_PAYLOAD_BYTES} bytes in UTF-8")
    return text


# What the user's device shows and signs the SHA-256 of: several lines are allowed (SECURITY.md 37, 38).
Payload = Annotated[DisplayLines, AfterValidator(_within_bytes)]


class CreateOperationRequest(BaseModel):
    operationId: str = Field(pattern=OPERATION_ID_PATTERN, max_length=128)
    operationPayload: Payload | None = Field(
        default=None, max_length=MAX_PAYLOAD_BYTES, description=f"≤ {MAX_PAYLOAD_BYTES} bytes of UTF-8"
    )
    externalUserId: DisplayText | None = Field(default=None, max_length=MAX_EXTERNAL_USER_ID_CHARS)


class CreateOperationResponse(BaseModel):
    success: bool


class PendingOperation(BaseModel):
    operationId: str
    operationPayload: str | None = None
    externalUserId: str | None = None
    authType: AuthType | None = None


class OperationView(BaseModel):
    id: int
    timestamp: str
    nodeId: str
    userId: str
    apiKey: str = Field(description="The public identifier of the API key that created it, never the key")
    externalUserId: str | None = None
    operationId: str
    operationPayload: str | None = None
    result: bool
    authType: AuthType | None = None
    state: State


def pending_view(operation: Operation) -> PendingOperation:
    return PendingOperation(
        operationId=operation.operation_id,
        operationPayload=operation.payload,
        externalUserId=operation.external_user_id,
        authType=operation.auth_type,
    )


def operation_view(operation: Operation) -> OperationView:
    return OperationView(
        id=operation.id,
        timestamp=iso8601(operation.created_ms),
        nodeId=operation.node_id,
        userId=operation.user_id,
        apiKey=operation.key_id,
        externalUserId=operation.external_user_id,
        operationId=operation.operation_id,
        operationPayload=operation.payload,
        result=operation.state is OperationState.APPROVED,
        authType=operation.auth_type,
        state=operation.state.value,
    )


class KeylessError(BaseModel):
    success: Literal[False]
    code: str
    message: str


class KeylessEnvelope(ErrorEnvelope):
    body = KeylessError

    def render(self, status: int, code: str, message: str) -> KeylessError:
        return KeylessError(success=False, code=code, message=message)


def resolver() -> FamilyResolver:
    return build_resolver(KeylessEnvelope())
