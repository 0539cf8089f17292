"""HTTP conventions every family shares: validation, errors mapped once, body limits, CORS, entry point."""

from __future__ import annotations

import base64
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any, ClassVar, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from assent.core.aws import throttled
from assent.core.config import settings
from assent.core.errors import AssentError, InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from assent.core.observability import logger, metrics, tracer

# API Gateway accepts 10 MB; no documented request of any family needs more than a few KiB.
MAX_BODY_BYTES = 64 * 1024
# No documented body nests more than a few levels; a generous bound, checked before any parser sees it.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]")


class ErrorEnvelope(ABC):
    """How one API family writes an error on the wire: `body` is its model, which the API document shows
    and `render` fills."""

    body: ClassVar[type[BaseModel]]

    @abstractmethod
    def render(self, status: int, code: str, message: str) -> BaseModel: ...

    def error(self, status: int, code: str, message: str) -> Response:
        return Response(
            status_code=status,
            content_type=content_types.APPLICATION_JSON,
            body=self.render(status, code, message).model_dump(mode="json"),
        )


class ErrorCode(BaseModel):
    """`data: {code}`, where a family's envelope carries the code beside its own fields (Pakt, Metasky)."""

    code: str


class PlainError(BaseModel):
    error: str
    message: str


class PlainErrorEnvelope(ErrorEnvelope):
    """`{"error": code, "message"}`: for families whose docs name an error but show no body (Hyphen)."""

    body = PlainError

    def render(self, status: int, code: str, message: str) -> PlainError:
        return PlainError(error=code, message=message)


Route = TypeVar("Route", bound=Callable[..., Any])


def refuses(*errors: type[AssentError]) -> Callable[[Route], Route]:
    """Names the domain errors a route may answer with, beyond bad input and an unknown caller, so that
    the API document lists each under its status. Put it under the route's `@app.<method>(...)`."""

    def mark(route: Route) -> Route:
        route.refusals = errors  # type: ignore[attr-defined]
        return route

    return mark


def also_answers(status: int, description: str) -> Callable[[Route], Route]:
    """A second success status for a route whose body is the same either way (UNLOQ's 202 pending)."""

    def mark(route: Route) -> Route:
        route.also_answers = {**getattr(route, "also_answers", {}), status: description}  # type: ignore[attr-defined]
        return route

    return mark


FormReader = Callable[[str], dict[str, Any]]
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class FamilyResolver(APIGatewayRestResolver):
    """A REST resolver that knows how its API family writes errors, and whether it reads form bodies."""

    def __init__(self, envelope: ErrorEnvelope, form_fields: FormReader | None = None) -> None:
        super().__init__(enable_validation=True)
        self.envelope = envelope
        self.form_fields = form_fields


def build_resolver(envelope: ErrorEnvelope, *, form_fields: FormReader | None = None) -> FamilyResolver:
    """A REST resolver whose every error, expected or not, comes out in the family's envelope; with
    `form_fields`, a form body is read as the JSON object that function makes of it."""
    app = FamilyResolver(envelope, form_fields)

    @app.exception_handler(AssentError)
    def _domain_error(error: AssentError) -> Response:
        return envelope.error(error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        return envelope.error(400, "INVALID_REQUEST", describe_validation_errors(error.errors()))

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return envelope.error(404, "NOT_FOUND", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        if throttled(error):
            # A quota of AWS's reached (counted in core/aws.py): the caller may try again shortly.
            return envelope.error(503, "SERVICE_UNAVAILABLE", "busy: try again in a few seconds")
        # Details stay in the log (with the request id); the caller learns nothing of the internals.
        logger.exception("unhandled error")
        return envelope.error(500, "INTERNAL_ERROR", "internal error")

    return app


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """One line naming each offending field; never echoes the input, which may hold secrets."""
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        message = "malformed JSON" if error.get("type") == "json_invalid" else error.get("msg", "invalid")
        parts.append(f"{location}: {message}")
    return "; ".join(parts) or "invalid request"


def body_refusal(event: dict[str, Any], *, forms: bool = False) -> AssentError | None:
    """Why a body is refused before it is parsed: every family's bodies are JSON of a few KiB (or, where
    `forms`, a form)."""
    body = event.get("body")
    if not body:
        return None
    if len(body) > MAX_BODY_BYTES * (4 / 3 if event.get("isBase64Encoded") else 1):
        return PayloadTooLarge(f"the body exceeds {MAX_BODY_BYTES} bytes")
    content_type = _content_type(event)
    # No Content-Type is read as JSON; a form is read only by a family whose docs post forms.
    is_json = not content_type or content_type.startswith("application/json")
    if not is_json and not (forms and content_type.startswith(FORM_CONTENT_TYPE)):
        return UnsupportedMediaType("the body must be JSON (Content-Type: application/json)")
    if not is_json:
        return None
    try:
        text = _text(event)
    except ValueError:
        return InvalidRequest("the body is not valid base64")
    if _json_depth(text) > MAX_JSON_DEPTH:
        # Python's parser recurses once per level: thousands of levels, well within the size limit, would
        # end in a RecursionError, a 500 (SECURITY.md 27).
        return InvalidRequest(f"the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels")
    if text.lstrip().startswith("["):
        # Every body is one JSON object; the validation would otherwise take an array's first element as it.
        return InvalidRequest("the body must be a JSON object")
    return None


def _text(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8", errors="replace")
    return str(body)


def _json_depth(text: str) -> int:
    """How deep a JSON text nests arrays and objects, its strings left out; a malformed text is measured
    as it is, and refused by the parser later if it is not JSON."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(1 if char in "[{" else -1 for char in brackets), default=0)


def _form_as_json(event: dict[str, Any], form_fields: FormReader) -> dict[str, Any]:
    """The event with a form body rewritten as JSON, so the route validates one shape either way."""
    if not _content_type(event).startswith(FORM_CONTENT_TYPE):
        return event
    fields = form_fields(_text(event))
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    return {
        **event,
        "body": json.dumps(fields),
        "isBase64Encoded": False,
        "headers": {**headers, "Content-Type": "application/json"},
        "multiValueHeaders": {**multi, "Content-Type": ["application/json"]},
    }


def _content_type(event: dict[str, Any]) -> str:
    return (_header(event, "content-type") or "").strip().lower()


def _header(event: dict[str, Any], name: str) -> str | None:
    """A header of the raw proxy event, whatever its case (API Gateway keeps the client's)."""
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == name), None)


def _proxy_response(response: Response) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "multiValueHeaders": {"Content-Type": [response.content_type or "application/json"]},
        "body": json.dumps(response.body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def cors_headers(request_origin: str | None) -> dict[str, str]:
    """Headers that let the configured browser origin read an answer (preflight is API Gateway's)."""
    allowed = settings().allowed_origin
    if allowed == "*":
        return {"Access-Control-Allow-Origin": "*"}
    if request_origin == allowed:
        return {"Access-Control-Allow-Origin": allowed, "Vary": "Origin"}
    return {}


def entrypoint(app: FamilyResolver) -> Callable[[dict, LambdaContext], dict]:
    """The Lambda handler for one resolver, with logging, tracing and metrics wired in."""

    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict, context: LambdaContext) -> dict:
        refusal = body_refusal(event, forms=app.form_fields is not None)
        if refusal is None and app.form_fields is not None:
            try:
                event = _form_as_json(event, app.form_fields)
            except AssentError as error:
                refusal = error
            except ValueError:
                refusal = InvalidRequest("malformed form body")
        if refusal is not None:
            response = _proxy_response(app.envelope.error(refusal.status, refusal.code, refusal.message))
        else:
            response = app.resolve(event, context)
        metrics.add_metric(name=f"Responses{response['statusCode'] // 100}xx", unit=MetricUnit.Count, value=1)
        # One line per request, with the request id (correlation_id) and, once authenticated, its client or
        # user: the thread an operator follows through the logs. The route is the template, never the path.
        logger.info(
            "answered",
            extra={
                "route": event.get("resource"),
                "method": event.get("httpMethod"),
                "status": response["statusCode"],
            },
        )
        response.setdefault("multiValueHeaders", {}).update(
            {name: [value] for name, value in cors_headers(_header(event, "origin")).items()}
        )
        return response

    traced = tracer.capture_lambda_handler(lambda_handler) if tracer else lambda_handler
    # clear_state: the caller's keys (access.py) are this request's, never the next one's in a warm container.
    return logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
    )(traced)
