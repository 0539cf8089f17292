"""Pakt's web3 sign-in (seed 001): request and answer shapes exactly as its docs show them.

Success: `{"status": "success", "message", "data"}`.
Errors: `{"status": "error", "message", "data": {"code"}}`.
A step token's `expiresIn` is in seconds (request, validate); a session token's is a Unix time in
milliseconds (onboard), as Pakt documents each.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assent.core.http import ErrorCode, ErrorEnvelope, FamilyResolver, build_resolver
from assent.crypto.tokens import IssuedToken
from assent.model.display_text import DisplayText
from assent.model.sessions import Credentials
from assent.model.users import (
    MAX_EMAIL_CHARS,
    MAX_NAME_CHARS,
    WALLET_ADDRESS_PATTERN,
    WALLET_SIGNATURE_PATTERN,
)

# 0x, r and s (32 bytes each) and the recovery id, as wallets' personal_sign writes them.
MAX_TOKEN_CHARS = 4096
# EIP-155 chain ids are positive; JavaScript reads integers exactly up to 2**53.
MAX_CHAIN_ID = 2**53 - 1


class Web3RequestBody(BaseModel):
    account: str = Field(
        pattern=WALLET_ADDRESS_PATTERN,
        description="The wallet address: 0x and 40 hex digits (EIP-55 if mixed case)",
    )
    chainId: int | None = Field(default=None, ge=1, le=MAX_CHAIN_ID, description="Chain id for the message")


class StepToken(BaseModel):
    token: str
    token_type: Literal["jwt"] = "jwt"  # noqa: S105 (a token type, not a secret)
    expiresIn: int = Field(description="Seconds until the token expires")


class ChallengeHandle(BaseModel):
    """web3/request's temp token: the random handle of the stored challenge, for validate, not a JWT."""

    token: str = Field(description="256 random bits naming the stored challenge, base64url")
    token_type: Literal["opaque"] = "opaque"  # noqa: S105 (a token type, not a secret)
    expiresIn: int = Field(description="Seconds until the challenge expires")


class SessionToken(BaseModel):
    token: str = Field(description="The access token (JWT), for `Authorization: Bearer`")
    tokenType: Literal["jwt"] = "jwt"
    expiresIn: int = Field(description="When the access token expires: a Unix time in milliseconds")


class Web3RequestData(BaseModel):
    message: str = Field(description="The EIP-4361 message to sign, exactly as given")
    tempToken: ChallengeHandle


class Web3RequestResponse(BaseModel):
    status: Literal["success"] = "success"
    message: str = "web3 request successful"
    data: Web3RequestData


class Web3ValidateBody(BaseModel):
    signedMessage: str = Field(
        pattern=WALLET_SIGNATURE_PATTERN, description="The EIP-191 signature of the message"
    )
    tempToken: str = Field(max_length=MAX_TOKEN_CHARS)


class Web3ValidateData(BaseModel):
    account: str
    isOnboarded: bool = Field(description="True when the wallet already belongs to a user, who is signed in")
    tempToken: StepToken | SessionToken = Field(
        description="To onboard (a step token), or, for a user already onboarded, the access token"
    )
    refreshToken: str | None = Field(default=None, description="Only for a user already onboarded")
    isVerified: bool | None = Field(default=None, description="Only for a user already onboarded")


class Web3ValidateResponse(BaseModel):
    status: Literal["success"] = "success"
    message: str
    data: Web3ValidateData


class OnboardBody(BaseModel):
    tempToken: str = Field(max_length=MAX_TOKEN_CHARS)
    firstName: DisplayText = Field(min_length=1, max_length=MAX_NAME_CHARS)
    lastName: DisplayText = Field(min_length=1, max_length=MAX_NAME_CHARS)
    email: str = Field(min_length=3, max_length=MAX_EMAIL_CHARS)


class SessionData(BaseModel):
    tempToken: SessionToken
    refreshToken: str = Field(description="Opaque; exchange it at POST /auth/v1/refresh")
    isVerified: bool


class OnboardResponse(BaseModel):
    status: Literal["success"] = "success"
    message: str = "account on-boarded"
    data: SessionData


class VerifyAccountBody(BaseModel):
    tempToken: str = Field(max_length=MAX_TOKEN_CHARS, description="The access token from onboard")
    token: str = Field(pattern=r"^[0-9]{6}$", description="The 6-digit code from the e-mail")


class ResendBody(BaseModel):
    tempToken: str = Field(max_length=MAX_TOKEN_CHARS, description="The access token from onboard")


class VerifiedData(BaseModel):
    isVerified: bool


class VerifyAccountResponse(BaseModel):
    status: Literal["success"] = "success"
    message: str
    data: VerifiedData


def step_token(issued: IssuedToken, expires_in: int) -> StepToken:
    return StepToken(token=issued.token, expiresIn=expires_in)


def session_token(credentials: Credentials) -> SessionToken:
    return SessionToken(token=credentials.access_token, expiresIn=credentials.access_expires_at * 1000)


class PaktError(BaseModel):
    status: Literal["error"]
    message: str
    data: ErrorCode


class PaktEnvelope(ErrorEnvelope):
    body = PaktError

    def render(self, status: int, code: str, message: str) -> PaktError:
        return PaktError(status="error", message=message, data=ErrorCode(code=code))


def resolver() -> FamilyResolver:
    return build_resolver(PaktEnvelope())
