"""One OpenAPI document for the whole API: each function's resolver describes its own route (Powertools), and
the routes are merged here with their callers, their refusals and their family's error envelope."""

from __future__ import annotations

import argparse
import json
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assent_tools.template import ROOT, FunctionSpec, functions, load_template

if TYPE_CHECKING:
    from assent.core.errors import AssentError

DOCUMENT = ROOT / "docs" / "openapi.json"
TITLE = "Assent"
VERSION = "1.0.0"
DESCRIPTION = (
    "Sign in with keys and approve actions out of band. The paths, fields, statuses and envelopes of five "
    "vendor APIs (Keyless, Pakt, Hyphen, UNLOQ, Metasky), each family answering errors in its own envelope."
)
REF = "#/components/schemas/"

SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": "A client back end's API key (as Keyless sends it).",
    },
    "apiKeyBearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A client back end's API key as a bearer token (as UNLOQ sends it).",
    },
    "accessToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A signed-in user's access token, from any sign-in family.",
    },
}
# What Powertools documents for failed validation; Assent answers 400 in the family's envelope instead.
POWERTOOLS_VALIDATION = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def document(template: Mapping[str, Any] | None = None, root: Path = ROOT) -> dict[str, Any]:
    """The merged document, built by importing every function of the template (Powertools merges); a
    function without a resolver (a test fixture's, say) has no routes to describe."""
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes=SECURITY_SCHEMES,  # type: ignore[arg-type]
        on_conflict="error",
    )
    models: dict[str, Any] = {}
    for spec in sorted(functions(template or load_template(), root).values(), key=lambda s: s.logical_id):
        part = _function_schema(spec)
        if part is None:
            continue
        for name, schema in part["components"]["schemas"].items():
            # Powertools keeps the last of two models of one name; two different ones would be a silent loss.
            if models.setdefault(name, schema) != schema:
                raise ValueError(f"two different models are both named {name}: rename one")
        merge.add_schema(part)
    return merge.get_openapi_schema()


def _function_schema(spec: FunctionSpec) -> dict[str, Any] | None:
    """One function's schema as Powertools generates it, with what Powertools cannot know added: the route's
    callers, its refusals in the family's envelope, its other success statuses, its family as a tag."""
    module = spec.module()
    app = getattr(module, "app", None)
    if not hasattr(app, "envelope"):
        return None
    generated = json.loads(app.get_openapi_json_schema())
    schemas = generated.setdefault("components", {}).setdefault("schemas", {})
    for name in POWERTOOLS_VALIDATION:
        schemas.pop(name, None)
    envelope = app.envelope.body
    envelope_schema = envelope.model_json_schema(ref_template=REF + "{model}")
    schemas.update(envelope_schema.pop("$defs", {}))
    schemas[envelope.__name__] = envelope_schema

    for route in [*app._static_routes, *app._dynamic_routes]:
        operation = generated["paths"][route.openapi_path][route.method.lower()]
        operation["operationId"] = route.func.__name__
        operation["summary"] = _summary(module.__doc__ or "")
        operation["tags"] = [spec.code_dir.parent.name]
        security, caller_refusal = _caller(route.func)
        if security:
            operation["security"] = security
        _document_answers(operation, route, envelope.__name__, caller_refusal=caller_refusal)
    return generated


def _summary(docstring: str) -> str:
    """A function's docstring, without the route it ends with (the document shows that already)."""
    first_paragraph = " ".join(docstring.strip().split("\n\n")[0].split())
    return re.sub(r"\s*\((GET|POST|PUT|DELETE) [^)]*\)\.?$", "", first_paragraph)


def _caller(func: Any) -> tuple[list[dict[str, list[str]]], type[AssentError] | None]:
    """How the caller a route's signature names (assent.access) presents itself, and what a caller it cannot
    authenticate is answered; neither for a public route."""
    # The layer, imported once the environment is set.
    from assent.access import ClientCaller, UserCaller
    from assent.core.errors import InvalidToken, Unauthenticated

    hints = list(typing.get_type_hints(func, include_extras=True).values())
    if ClientCaller in hints:
        return [{"apiKey": []}, {"apiKeyBearer": []}], Unauthenticated
    if UserCaller in hints:
        return [{"accessToken": []}], InvalidToken
    return [], None


def _document_answers(
    operation: dict[str, Any], route: Any, envelope: str, *, caller_refusal: type[AssentError] | None
) -> None:
    """Replaces Powertools' 422 with what the route really answers: its success statuses, then every refusal
    under its status, in the family's envelope."""
    responses = operation["responses"]
    responses.pop("422", None)
    success = responses[str(route.status_code)]
    for status, description in getattr(route.func, "also_answers", {}).items():
        responses[str(status)] = {**success, "description": description}

    refusals: dict[int, list[str]] = {}
    if operation.get("parameters") or operation.get("requestBody"):
        refusals.setdefault(400, []).append("INVALID_REQUEST")
    if any(parameter["in"] == "path" for parameter in operation.get("parameters", ())):
        # A path parameter with a character no route takes (a slash, say) matches no route at all.
        refusals.setdefault(404, []).append("NOT_FOUND")
    if "requestBody" in operation:
        refusals.setdefault(413, []).append("PAYLOAD_TOO_LARGE")
        refusals.setdefault(415, []).append("UNSUPPORTED_MEDIA_TYPE")
    for error in [caller_refusal, *getattr(route.func, "refusals", ())]:
        if error is None:
            continue
        codes = refusals.setdefault(error.status, [])
        if error.code not in codes:
            codes.append(error.code)
    for status, codes in sorted(refusals.items()):
        responses[str(status)] = {
            "description": ", ".join(codes),
            "content": {"application/json": {"schema": {"$ref": REF + envelope}}},
        }
    operation["responses"] = dict(sorted(responses.items()))


def swagger_page(doc: Mapping[str, Any]) -> str:
    """Swagger UI for the document, with the copy of Swagger UI that Powertools ships: works offline."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    # "</" is escaped so that no string in the document can close the page's <script>.
    spec = json.dumps(doc).replace("</", "<\\/")
    return generate_swagger_html(
        spec,
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        swagger_base_url="",
        oauth2_config=None,
    )


def render(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="assent-openapi", description=__doc__)
    parser.add_argument("--output", type=Path, default=DOCUMENT)
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(document()))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
