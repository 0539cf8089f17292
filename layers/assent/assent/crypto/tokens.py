"""Access and step tokens: ES256 JWTs signed by a KMS key that never leaves KMS (SECURITY.md 22-23)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key

from assent.core.clock import Clock, system_clock
from assent.core.config import TokenSettings
from assent.core.errors import InvalidToken

ALGORITHM = "ES256"
# Headers that would let a token name its own key; keys come from configuration only (SECURITY.md 22).
_FORBIDDEN_HEADERS = frozenset({"jku", "jwk", "x5u", "x5c", "crit"})
_REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "typ"]
# Tolerated disagreement between clocks of different machines.
_LEEWAY_SECONDS = 5


class TokenType(StrEnum):
    """The `typ` claim: a token of one type is never accepted where another is expected."""

    ACCESS = "access"
    STEP = "step"

    @property
    def media_type(self) -> str:
        """The header's `typ` (RFC 8725 §3.11): access tokens are RFC 9068's `at+jwt`, so a standard
        access-token check refuses a step token on its header alone (SECURITY.md 31)."""
        return "at+jwt" if self is TokenType.ACCESS else "step+jwt"

    def audience(self, audience: str) -> str:
        """Step tokens are for Assent's own next step, never for a resource server: another audience."""
        return audience if self is TokenType.ACCESS else f"{audience}:step"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: int


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class KmsKeys:
    """The KMS signing key and the allow-listed verification keys; public halves cached per container."""

    def __init__(self, kms: Any, signing_key_id: str, verification_key_ids: tuple[str, ...]) -> None:
        self._kms = kms
        self.signing_key_id = signing_key_id
        self._allowed = verification_key_ids
        self._public: dict[str, EllipticCurvePublicKey] = {}
        self._lock = threading.Lock()

    def sign(self, signing_input: bytes) -> bytes:
        """The JWS signature (raw r‖s) of `signing_input`, made inside KMS."""
        der = self._kms.sign(
            KeyId=self.signing_key_id,
            Message=signing_input,
            MessageType="RAW",
            SigningAlgorithm="ECDSA_SHA_256",
        )["Signature"]
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_key(self, kid: str) -> EllipticCurvePublicKey | None:
        """The public key for an allow-listed `kid`, fetched from KMS once per container; None otherwise."""
        if kid not in self._allowed:
            return None
        with self._lock:
            if kid not in self._public:
                der = self._kms.get_public_key(KeyId=kid)["PublicKey"]
                key = load_der_public_key(der)
                if not isinstance(key, EllipticCurvePublicKey):
                    raise TypeError(f"KMS key {kid} is not an elliptic-curve key")
                self._public[kid] = key
            return self._public[kid]

    def jwks(self) -> list[dict[str, str]]:
        """Every allow-listed key as a JWK (RFC 7517), for `/.well-known/jwks.json`."""
        keys = []
        for kid in self._allowed:
            numbers = self.public_key(kid).public_numbers()  # type: ignore[union-attr]
            keys.append(
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "x": _b64url(numbers.x.to_bytes(32, "big")),
                    "y": _b64url(numbers.y.to_bytes(32, "big")),
                    "kid": kid,
                    "alg": ALGORITHM,
                    "use": "sig",
                }
            )
        return keys


class Tokens:
    """Issues and verifies this deployment's JWTs."""

    def __init__(self, keys: KmsKeys, settings: TokenSettings, clock: Clock = system_clock) -> None:
        self._keys = keys
        self._settings = settings
        self._clock = clock

    def issue(self, typ: TokenType, subject: str, lifetime_seconds: int, **claims: Any) -> IssuedToken:
        now = int(self._clock())
        jti = secrets.token_urlsafe(16)
        payload = {
            **claims,
            "iss": self._settings.issuer,
            "aud": typ.audience(self._settings.audience),
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "jti": jti,
            "typ": typ.value,
        }
        header = {"alg": ALGORITHM, "typ": typ.media_type, "kid": self._keys.signing_key_id}
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
        )
        signature = self._keys.sign(signing_input.encode("ascii"))
        return IssuedToken(f"{signing_input}.{_b64url(signature)}", jti, payload["exp"])

    def issue_access(self, user_id: str, **claims: Any) -> IssuedToken:
        return self.issue(TokenType.ACCESS, user_id, self._settings.access_token_seconds, **claims)

    def verify(self, token: str, typ: TokenType) -> dict[str, Any]:
        """The claims of a valid token of type `typ`; anything else raises InvalidToken."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken("the token is not valid") from error
        kid = header.get("kid")
        key = self._keys.public_key(kid) if isinstance(kid, str) else None
        if (
            header.get("alg") != ALGORITHM
            or header.get("typ") != typ.media_type
            or key is None
            or _FORBIDDEN_HEADERS & header.keys()
        ):
            raise InvalidToken("the token is not valid")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=typ.audience(self._settings.audience),
                issuer=self._settings.issuer,
                # Times are checked below against the service's own clock, the one that issued them.
                options={
                    "require": _REQUIRED_CLAIMS,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise InvalidToken("the token is not valid") from error
        now = self._clock()
        try:
            not_before, expires = int(claims.get("nbf", claims["iat"])), int(claims["exp"])
            live = not_before - _LEEWAY_SECONDS <= now < expires + _LEEWAY_SECONDS
        except (TypeError, ValueError) as error:
            raise InvalidToken("the token is not valid") from error
        if claims.get("typ") != typ.value or not live:
            raise InvalidToken("the token is not valid")
        return claims
