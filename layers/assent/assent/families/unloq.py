"""UNLOQ's authorisation actions (seed 004, and the request models of UNLOQ's public SDKs): bodies, answers
and the `{"error": {code, message, status}}` envelope.

Answers are `{"type": "api.application.<what>.<verb>", "result": ...}`. UNLOQ's own clients read HTTP 200
as "the user approved", so a request still pending is answered 202, never 200.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyAddress,
    WithJsonSchema,
    model_validator,
)

from assent.core.clock import iso8601
from assent.core.errors import InvalidRequest, VariablesRefused
from assent.core.http import ErrorEnvelope, FamilyResolver, build_resolver
from assent.model.actions import CODE_PATTERN, MAX_BUTTON_CHARS, MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, Action
from assent.model.display_text import DisplayText
from assent.model.operations import Operation, OperationState
from assent.services.authorizations import ID_PREFIX, AuthorizationRequest, Display, Recipient

USER_ID_PATTERN = r"^[0-9A-F]{8,64}$"
MAX_EMAIL_CHARS = 254
MAX_REFERENCE_CHARS = 20

ActionCode = Annotated[str, Path(pattern=CODE_PATTERN.pattern, description="The action's code")]
ApprovalId = Annotated[str, Path(pattern=rf"^{ID_PREFIX}[0-9a-f]{{24}}$", description="An approval's id")]


def _boolean(value: Any) -> bool:
    # A JSON body says true or false; a form body can only say the words. Nothing else is a boolean here,
    # though pydantic would read 0, 1, "yes" and "off" as one.
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be true or false")


Boolean = Annotated[bool, BeforeValidator(_boolean)]
IpAddress = Annotated[
    IPvAnyAddress,
    WithJsonSchema({"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}),
]


class CreateActionBody(BaseModel):
    code: str = Field(pattern=CODE_PATTERN.pattern, description="≤ 20 of A-Z a-z 0-9 _ -, unique per client")
    title: DisplayText = Field(min_length=1, max_length=MAX_TITLE_CHARS, description="May hold $variables")
    message: DisplayText = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, description="May hold $variables"
    )
    approve: DisplayText | None = Field(None, min_length=1, max_length=MAX_BUTTON_CHARS)
    deny: DisplayText | None = Field(None, min_length=1, max_length=MAX_BUTTON_CHARS)
    number_matching: Boolean = Field(False, description="Approving takes the number the client shows")


class UpdateActionBody(BaseModel):
    title: DisplayText | None = Field(None, min_length=1, max_length=MAX_TITLE_CHARS)
    message: DisplayText | None = Field(None, min_length=1, max_length=MAX_MESSAGE_CHARS)
    approve: DisplayText | None = Field(None, min_length=1, max_length=MAX_BUTTON_CHARS)
    deny: DisplayText | None = Field(None, min_length=1, max_length=MAX_BUTTON_CHARS)
    is_active: Boolean | None = Field(
        None, description="false deactivates the action; true activates it again"
    )
    number_matching: Boolean | None = None


class ActionText(BaseModel):
    code: str
    title: str
    message: str


class Buttons(BaseModel):
    approve: str
    deny: str


class ActionView(BaseModel):
    id: str
    action: ActionText
    variables: list[str]
    button: Buttons
    is_active: bool
    number_matching: bool
    application_id: str
    created_at: str
    updated_at: str


class ActionAnswer(BaseModel):
    type: str
    result: ActionView


class ActionsAnswer(BaseModel):
    type: str
    result: list[ActionView]


class AuthorizeBody(BaseModel):
    # Every top-level field that is not one of these (or their aliases) is a variable, as the seed's
    # example passes them (`name="Jane"`), as well as those under `variables`.
    model_config = ConfigDict(extra="allow")

    email: str | None = Field(None, max_length=MAX_EMAIL_CHARS, description="The user, by e-mail address")
    user_id: str | None = Field(
        None,
        pattern=USER_ID_PATTERN,
        validation_alias=AliasChoices("user_id", "unloq_id"),
        description="The user, by id (Keyless's userId)",
    )
    reference: DisplayText = Field(
        min_length=1,
        max_length=MAX_REFERENCE_CHARS,
        validation_alias=AliasChoices("reference", "ref"),
        description="The client's transaction reference, shown to the user",
    )
    variables: dict[str, Any] = Field(default_factory=dict, description="Values of the action's $variables")
    ip: IpAddress | None = Field(None, description="Where the request comes from, shown to the user")
    timeout: int | None = Field(None, ge=10, le=600, description="Seconds the user has to decide (25)")
    wait: int | None = Field(None, ge=0, le=25, description="Seconds this call waits for the decision")
    code: str | None = Field(None, description="The action's code, as UNLOQ's SDKs repeat it; must match")
    generate_token: Boolean = Field(False, description="UNLOQ's token on approval, not offered: only false")

    @model_validator(mode="after")
    def _one_user(self) -> AuthorizeBody:
        if (self.email is None) == (self.user_id is None):
            raise ValueError("name the user by email or by user_id, not both")
        return self

    def request(self, code: str) -> AuthorizationRequest:
        if self.code is not None and self.code != code:
            raise InvalidRequest("the body's code differs from the path's")
        if self.generate_token:
            raise InvalidRequest("generate_token is not offered; read GET /v1/approvals/{id} instead")
        extra = self.model_extra or {}
        if clash := sorted(set(extra) & set(self.variables)):
            raise VariablesRefused(f"variables given twice: {', '.join(clash)}", tuple(clash))
        return AuthorizationRequest(
            code=code,
            recipient=Recipient(email=self.email, user_id=self.user_id),
            reference=self.reference,
            variables={**self.variables, **extra},
            ip=str(self.ip) if self.ip is not None else None,
            timeout_seconds=self.timeout,
            wait_seconds=self.wait,
        )


class ApprovalView(BaseModel):
    id: str
    state: Literal["pending", "approved", "denied", "expired", "cancelled"]
    action: str
    reference: str
    title: str
    message: str
    button: Buttons
    number: str | None = Field(description="With number matching: show it to the person, who enters it")
    user_id: str
    application_id: str
    ip: str | None
    created_at: str
    expires_at: str
    decided_at: str | None
    auth_type: str | None


class ApprovalAnswer(BaseModel):
    type: str
    result: ApprovalView


def action_view(action: Action) -> ActionView:
    return ActionView(
        id=action.id,
        action=ActionText(code=action.code, title=action.title, message=action.message),
        variables=action.variables,
        button=Buttons(approve=action.approve, deny=action.deny),
        is_active=action.is_active,
        number_matching=action.number_matching,
        application_id=action.client_id,
        created_at=iso8601(action.created_ms),
        updated_at=iso8601(action.updated_ms),
    )


def action_answer(verb: str, action: Action) -> ActionAnswer:
    return ActionAnswer(type=f"api.application.action.{verb}", result=action_view(action))


def approval_answer(verb: str, operation: Operation) -> Response[ApprovalAnswer]:
    """The request as it stands: 200 once approved, 202 while pending (never 200: see the module)."""
    display = Display.of(operation)
    view = ApprovalView(
        id=operation.operation_id,
        state=operation.state.value,
        action=display.action,
        reference=display.reference,
        title=display.title,
        message=display.message,
        button=Buttons(approve=display.approve, deny=display.deny),
        number=operation.number,
        user_id=operation.user_id,
        application_id=operation.client_id,
        ip=display.ip,
        created_at=iso8601(operation.created_ms),
        expires_at=iso8601(operation.expires_at * 1000),
        decided_at=iso8601(operation.decided_ms) if operation.decided_ms is not None else None,
        auth_type=operation.auth_type,
    )
    status = 202 if operation.state is OperationState.PENDING else 200
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ApprovalAnswer(type=f"api.application.approval.{verb}", result=view),
    )


# Assent's shared error codes that UNLOQ names its own way.
_UNLOQ_CODES = {"TOO_MANY_REQUESTS": "FIREWALL.THROTTLE", "OPERATION_NOT_PENDING": "APPROVAL.NOT_PENDING"}


class UnloqErrorDetail(BaseModel):
    code: str
    message: str
    status: int


class UnloqError(BaseModel):
    error: UnloqErrorDetail


class UnloqEnvelope(ErrorEnvelope):
    body = UnloqError

    def render(self, status: int, code: str, message: str) -> UnloqError:
        return UnloqError(
            error=UnloqErrorDetail(code=_UNLOQ_CODES.get(code, code), message=message, status=status)
        )


_BRACKETED = re.compile(r"^([^\[\]]+)\[([^\[\]]+)\]$")


def form_fields(body: str) -> dict[str, Any]:
    """A form body (`application/x-www-form-urlencoded`, as UNLOQ's own example posts) as the JSON object
    it stands for; `variables[amount]=100` is `{"variables": {"amount": "100"}}`."""
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(body, keep_blank_values=True, max_num_fields=64):
        if bracketed := _BRACKETED.match(name):
            outer, inner = bracketed.groups()
            target = fields.setdefault(outer, {})
            if not isinstance(target, dict):
                raise InvalidRequest(f"{outer} is given both as a value and as fields")
            target[inner] = value
        else:
            fields[name] = value
    return fields


def resolver() -> FamilyResolver:
    return build_resolver(UnloqEnvelope(), form_fields=form_fields)
