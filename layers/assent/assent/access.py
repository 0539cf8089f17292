"""Who may call what: each kind of caller is authenticated here, once, into a typed principal.

A route states its caller in its signature (`client: ClientCaller`, `user: UserCaller`); routes that
state none are public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from assent.core.errors import InvalidToken
from assent.core.observability import logger
from assent.model.clients import Client
from assent.wiring import clients_service, sessions_service, tokens

_BEARER = "bearer "


@dataclass(frozen=True)
class SignedInUser:
    """A user signed in with an access token: the typed principal user routes receive."""

    user_id: str
    session_id: str | None


def _bearer(request: Request) -> str | None:
    authorization = request.resolved_event.headers.get("authorization") or ""  # case-insensitive
    if authorization[: len(_BEARER)].lower() == _BEARER:
        return authorization[len(_BEARER) :].strip()
    return None


def presented_api_key(request: Request) -> str | None:
    """The API key from `X-Api-Key` (Keyless) or `Authorization: Bearer` (UNLOQ), whichever is present."""
    key = request.resolved_event.headers.get("x-api-key")
    return key.strip() if key else _bearer(request)


def authenticate_client(request: Request) -> Client:
    client = clients_service().authenticate(presented_api_key(request))
    # Every later line of the request names its client: an operator finds one client's requests by these.
    logger.append_keys(client_id=client.client_id, client_key_id=client.key_id)
    return client


def user_from_access_token(token: str | None) -> SignedInUser:
    """The user an access token names; step tokens and anything else are refused (SECURITY.md 22)."""
    # Imported here: functions that only take API keys never load a JWT library (their cold start).
    from assent.crypto.tokens import TokenType

    if not token:
        raise InvalidToken("an access token is required")
    claims = tokens().verify(token, TokenType.ACCESS)
    return SignedInUser(user_id=str(claims["sub"]), session_id=claims.get("sid"))


def authenticate_user(request: Request) -> SignedInUser:
    """A user route's caller: a valid access token whose session is still live, so that revoking a key or
    replaying a refresh token shuts its access tokens out at once (SECURITY.md 33)."""
    user = user_from_access_token(_bearer(request))
    sessions_service().require_live(user.session_id)
    logger.append_keys(user_id=user.user_id)
    return user


ClientCaller = Annotated[Client, Depends(authenticate_client)]
UserCaller = Annotated[SignedInUser, Depends(authenticate_user)]
