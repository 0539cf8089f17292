"""Hyphen: exchange a refresh token for a new pair (POST /auth/v1/refresh), for every kind of session."""

from assent.core.errors import InvalidRefreshToken
from assent.core.http import entrypoint, refuses
from assent.families import hyphen
from assent.wiring import sessions_service

app = hyphen.resolver()


@app.post("/auth/v1/refresh")
@refuses(InvalidRefreshToken)
def refresh(body: hyphen.RefreshBody) -> hyphen.RefreshResponse:
    credentials = sessions_service().refresh(body.refreshToken)
    return hyphen.RefreshResponse(credentials=hyphen.credentials_view(credentials))


lambda_handler = entrypoint(app)
