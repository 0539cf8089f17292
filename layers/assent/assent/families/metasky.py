"""Metasky's secure actions (seed 000): paths, bodies, and the `{message, data, status, request_id}` envelope.

`request_id` is API Gateway's request id, which is also the correlation id of every log line of the
request. `user_uuid` is an Assent user id written as a UUID (the same 128 bits; the 32-hex form works too).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, Field

from assent.core.clock import iso8601
from assent.core.http import ErrorCode, ErrorEnvelope, FamilyResolver, build_resolver
from assent.core.observability import logger
from assent.model.display_text import DisplayText
from assent.model.secure_actions import MODE, SecureAction

UUID_PATTERN = r"^[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}$"

UserUuid = Annotated[str, Path(pattern=UUID_PATTERN, description="The user's id, as a UUID")]
OrderUuid = Annotated[str, Path(pattern=r"^[A-Za-z0-9._:-]{1,128}$", description="The client's order id")]
OrderType = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The kind of order")]


def user_id(user_uuid: str) -> str:
    """The Assent user id a `user_uuid` names."""
    return user_uuid.replace("-", "").upper()


def as_uuid(user_id: str) -> str:
    hex_id = user_id.lower()
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


ORDER_TYPE_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_REFERENCE_CHARS = 100


class InitBody(BaseModel):
    """Optional (Metasky's init has no body): what the mail tells the user the code confirms."""

    order_type: str | None = Field(
        None, pattern=ORDER_TYPE_PATTERN, description="The kind of order; verify must then name the same"
    )
    reference: DisplayText | None = Field(
        None, min_length=1, max_length=MAX_REFERENCE_CHARS, description="What the order does, in the mail"
    )


class VerifyBody(BaseModel):
    secure_action_uuid: str = Field(pattern=UUID_PATTERN)
    secure_action_code: str = Field(pattern=r"^[0-9]{6}$", description="The 6 digits e-mailed to the user")


class InitData(BaseModel):
    order_uuid: str
    secure_action_uuid: str
    secure_action_mode: str
    secure_action_identifier: str = Field(description="The masked address the code went to")


class VerifyData(BaseModel):
    order_uuid: str
    secure_action_uuid: str


class StateData(BaseModel):
    order_uuid: str
    order_type: str | None
    reference: str | None = Field(description="What init said the order does, if it said")
    user_uuid: str
    secure_action_uuid: str
    secure_action_mode: str
    secure_action_identifier: str
    state: str = Field(description="pending, verified, locked (too many wrong codes) or expired")
    created_at: str
    expires_at: str
    verified_at: str | None
    verified_by: str | None = Field(description="The public id of the client key that submitted the code")


class Envelope(BaseModel):
    message: str
    data: Any
    status: str
    request_id: str


def answer(message: str, data: BaseModel) -> Envelope:
    return Envelope(message=message, data=data, status="success", request_id=_request_id())


def init_data(action: SecureAction) -> InitData:
    return InitData(
        order_uuid=action.order_uuid,
        secure_action_uuid=action.secure_action_uuid,
        secure_action_mode=MODE,
        secure_action_identifier=action.identifier,
    )


def state_data(action: SecureAction) -> StateData:
    return StateData(
        order_uuid=action.order_uuid,
        order_type=action.order_type,
        reference=action.reference,
        user_uuid=as_uuid(action.user_id),
        secure_action_uuid=action.secure_action_uuid,
        secure_action_mode=MODE,
        secure_action_identifier=action.identifier,
        state=action.state,
        created_at=iso8601(action.created_ms),
        expires_at=iso8601(action.expires_at * 1000),
        verified_at=iso8601(action.verified_ms) if action.verified_ms is not None else None,
        verified_by=action.verified_by,
    )


def _request_id() -> str:
    return str(logger.get_correlation_id() or "")


class MetaskyError(BaseModel):
    message: str
    data: ErrorCode
    status: Literal["error"]
    request_id: str


class MetaskyEnvelope(ErrorEnvelope):
    body = MetaskyError

    def render(self, status: int, code: str, message: str) -> MetaskyError:
        return MetaskyError(
            message=message, data=ErrorCode(code=code), status="error", request_id=_request_id()
        )


def resolver() -> FamilyResolver:
    return build_resolver(MetaskyEnvelope())
