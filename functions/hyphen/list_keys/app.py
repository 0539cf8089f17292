"""Hyphen: the signed-in user's keys, live and revoked (GET /key/v1/keys)."""

from assent.access import UserCaller
from assent.core.http import entrypoint
from assent.families import hyphen
from assent.wiring import user_keys

app = hyphen.resolver()


@app.get("/key/v1/keys")
def list_keys(user: UserCaller) -> hyphen.KeysResponse:
    return hyphen.KeysResponse(keys=[hyphen.key_view(key) for key in user_keys().list(user.user_id)])


lambda_handler = entrypoint(app)
