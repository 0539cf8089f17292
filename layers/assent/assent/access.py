"""Who may call what: each kind of caller is authenticated here, once, into a typed principal.

A route states its caller in its signature (`client: ClientCaller`); routes that state none are public.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from assent.clients import Client
from assent.services import clients_service

_BEARER = "bearer "


def presented_api_key(request: Request) -> str | None:
    """The API key from `X-Api-Key` (Keyless) or `Authorization: Bearer` (UNLOQ), whichever is present."""
    headers = request.resolved_event.headers  # case-insensitive
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    authorization = headers.get("authorization") or ""
    if authorization[: len(_BEARER)].lower() == _BEARER:
        return authorization[len(_BEARER) :].strip()
    return None


def authenticate_client(request: Request) -> Client:
    return clients_service().authenticate(presented_api_key(request))


ClientCaller = Annotated[Client, Depends(authenticate_client)]
