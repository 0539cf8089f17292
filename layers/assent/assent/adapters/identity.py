"""Who a new device says it is: an OIDC ID token from Firebase or Sign in with Apple, verified in full.

An ID token proves an e-mail address: its signature is checked against the provider's published keys
(the JWKS location is configurable, so a test or a private deployment can serve its own), then `iss`,
`aud`, `exp` and `iat`, and the provider must vouch that the address is verified. The `test` method takes
the address itself and is off unless a deployment turns it on (the local gateway does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from assent.core.config import DeviceSettings
from assent.core.errors import InvalidToken, MethodNotEnabled, ProviderUnavailable
from assent.model.users import InvalidEmail, normalise_email

FIREBASE_ISSUER_PREFIX = "https://securetoken.google.com/"
APPLE_ISSUER = "https://appleid.apple.com"
# Providers sign ID tokens with RS256; nothing else is accepted (RFC 8725 §3.1).
_ALGORITHMS = ["RS256"]
_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class _Provider:
    issuer: str
    audience: str
    jwks: jwt.PyJWKClient


class IdentityProviders:
    def __init__(self, settings: DeviceSettings) -> None:
        self._settings = settings
        self._providers: dict[str, _Provider] = {}
        if settings.firebase_project_id:
            self._providers["firebase"] = _Provider(
                FIREBASE_ISSUER_PREFIX + settings.firebase_project_id,
                settings.firebase_project_id,
                # Keys are cached for the life of the container and refetched when a new `kid` appears.
                jwt.PyJWKClient(settings.firebase_jwks_url, cache_keys=True, lifespan=3600, timeout=5),
            )
        if settings.apple_client_id:
            self._providers["apple"] = _Provider(
                APPLE_ISSUER,
                settings.apple_client_id,
                jwt.PyJWKClient(settings.apple_jwks_url, cache_keys=True, lifespan=3600, timeout=5),
            )

    def verified_email(self, method: str, token: str) -> str:
        """The e-mail address `token` proves, normalised; raises InvalidToken if it proves none."""
        if method == "test":
            if not self._settings.test_method_enabled:
                raise MethodNotEnabled("the test sign-in method is not enabled in this deployment")
            return _email(token)
        provider = self._providers.get(method)
        if provider is None:
            raise MethodNotEnabled(f"sign-in with {method} is not configured in this deployment")
        claims = self._claims(provider, token)
        # Apple writes booleans as strings in some tokens.
        if str(claims.get("email_verified")).lower() != "true":
            raise InvalidToken("the provider has not verified this e-mail address")
        return _email(str(claims.get("email", "")))

    def _claims(self, provider: _Provider, token: str) -> dict[str, Any]:
        try:
            signing_key = provider.jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as error:
            raise ProviderUnavailable("the identity provider's keys could not be fetched") from error
        except jwt.PyJWTError as error:
            raise InvalidToken("the ID token is not valid") from error
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=_ALGORITHMS,
                audience=provider.audience,
                issuer=provider.issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken("the ID token is not valid") from error
        return claims


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except InvalidEmail as error:
        raise InvalidToken("the token names no valid e-mail address") from error
