"""The public keys that verify Assent's tokens (GET /.well-known/jwks.json)."""

from aws_lambda_powertools.event_handler import Response, content_types

from assent.core.http import entrypoint
from assent.families import wellknown
from assent.wiring import token_keys

app = wellknown.resolver()


@app.get("/.well-known/jwks.json")
def jwks() -> Response[wellknown.JwkSet]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=wellknown.JwkSet.model_validate({"keys": token_keys().jwks()}),
        headers={"Cache-Control": f"public, max-age={wellknown.JWKS_MAX_AGE_SECONDS}"},
    )


lambda_handler = entrypoint(app)
