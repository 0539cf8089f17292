"""Typed settings, read from the environment on first use so that tests and tools can set it first."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

# SECURITY.md 5: out-of-band requests live at most ten minutes.
MAX_OPERATION_LIFETIME_SECONDS = 600
# SECURITY.md 24: access tokens live at most fifteen minutes.
MAX_ACCESS_TOKEN_SECONDS = 900


class ConfigurationError(RuntimeError):
    """The function's environment is missing or contradicts a setting; it must not serve requests."""


@dataclass(frozen=True)
class TokenSettings:
    """Who signs the JWTs this deployment issues, and for whom."""

    issuer: str
    audience: str
    signing_key_id: str
    # Keys that verify without signing, during a rotation: the previous one, whose tokens are still in
    # circulation, or the next one, published before it signs (SECURITY.md 22: `kid` allow-list).
    other_key_ids: tuple[str, ...]
    access_token_seconds: int
    refresh_idle_seconds: int
    session_lifetime_seconds: int

    @property
    def verification_key_ids(self) -> tuple[str, ...]:
        return (self.signing_key_id, *self.other_key_ids)


@dataclass(frozen=True)
class WalletSettings:
    """What a Sign-In with Ethereum message names: the site a wallet signs in to."""

    domain: str
    uri: str
    statement: str
    default_chain_id: int


@dataclass(frozen=True)
class PasskeySettings:
    """The WebAuthn relying party: the RP id passkeys are bound to, the origins ceremonies come from."""

    rp_id: str
    rp_name: str
    origins: tuple[str, ...]


@dataclass(frozen=True)
class DeviceSettings:
    """Hyphen's sign-in: who vouches for a new user's e-mail, where accounts are deployed, recovery."""

    firebase_project_id: str
    firebase_jwks_url: str
    apple_client_id: str
    apple_jwks_url: str
    test_method_enabled: bool
    deployment_queue_url: str
    recovery_cooling_off_seconds: int


@dataclass(frozen=True)
class RequestLimitSettings:
    """Approval requests a user may receive, and a client may make, per minute (SECURITY.md 18)."""

    table: str
    per_user_per_minute: int
    per_client_per_minute: int
    per_client_user_per_minute: int
    waits_per_client: int  # calls of one client that may wait for a decision at once (SECURITY.md 38)


@dataclass(frozen=True)
class Settings:
    clients_table: str
    operations_table: str
    actions_table: str
    secure_actions_table: str
    secure_action_resend_seconds: int
    users_table: str
    sessions_table: str
    challenges_table: str
    temp_tokens_table: str
    operation_lifetime_seconds: int
    operation_retention_seconds: int
    allowed_origin: str
    node_id: str
    code_key_id: str
    sender_email: str
    tokens: TokenSettings
    wallet: WalletSettings
    devices: DeviceSettings
    request_limits: RequestLimitSettings


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{name} is not set")
    return value


def _integer(name: str, default: int, *, at_least: int = 1, at_most: int | None = None) -> int:
    """A whole number in at_least..at_most (no upper bound without `at_most`), or `default` when unset."""
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from error
    if value < at_least or (at_most is not None and value > at_most):
        bounds = f"{at_least}..{at_most}" if at_most is not None else f"at least {at_least}"
        raise ConfigurationError(f"{name} must be {bounds}, not {value}")
    return value


@cache
def settings() -> Settings:
    lifetime = _integer(
        "ASSENT_OPERATION_LIFETIME_SECONDS",
        MAX_OPERATION_LIFETIME_SECONDS,
        at_most=MAX_OPERATION_LIFETIME_SECONDS,
    )
    resend_seconds = _integer("ASSENT_SECURE_ACTION_RESEND_SECONDS", 60, at_most=600)
    retention_days = _integer("ASSENT_OPERATION_RETENTION_DAYS", 30)
    return Settings(
        clients_table=_required("ASSENT_CLIENTS_TABLE"),
        operations_table=_required("ASSENT_OPERATIONS_TABLE"),
        actions_table=_required("ASSENT_ACTIONS_TABLE"),
        secure_actions_table=_required("ASSENT_SECURE_ACTIONS_TABLE"),
        secure_action_resend_seconds=resend_seconds,
        users_table=_required("ASSENT_USERS_TABLE"),
        sessions_table=_required("ASSENT_SESSIONS_TABLE"),
        challenges_table=_required("ASSENT_CHALLENGES_TABLE"),
        temp_tokens_table=_required("ASSENT_TEMP_TOKENS_TABLE"),
        operation_lifetime_seconds=lifetime,
        operation_retention_seconds=retention_days * 86_400,
        allowed_origin=os.environ.get("ASSENT_ALLOWED_ORIGIN", "*").strip() or "*",
        node_id=os.environ.get("ASSENT_NODE_ID", "").strip()
        or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "assent"),
        code_key_id=_required("ASSENT_CODE_KEY_ID"),
        sender_email=_required("ASSENT_SENDER_EMAIL"),
        tokens=_token_settings(),
        wallet=_wallet_settings(),
        devices=_device_settings(),
        request_limits=_request_limit_settings(),
    )


def _token_settings() -> TokenSettings:
    access_seconds = _integer(
        "ASSENT_ACCESS_TOKEN_SECONDS", MAX_ACCESS_TOKEN_SECONDS, at_least=60, at_most=MAX_ACCESS_TOKEN_SECONDS
    )
    lifetime_days = _integer("ASSENT_SESSION_LIFETIME_DAYS", 30)
    # A family cannot idle longer than it may live.
    idle_days = _integer("ASSENT_REFRESH_IDLE_DAYS", 7, at_most=lifetime_days)
    others = os.environ.get("ASSENT_OTHER_TOKEN_KEY_IDS", "")
    return TokenSettings(
        issuer=_required("ASSENT_TOKEN_ISSUER"),
        audience=_required("ASSENT_TOKEN_AUDIENCE"),
        # SECURITY.md 23: without a KMS key the function refuses to start; there is no fallback key.
        signing_key_id=_required("ASSENT_TOKEN_KEY_ID"),
        other_key_ids=tuple(key.strip() for key in others.split(",") if key.strip()),
        access_token_seconds=access_seconds,
        refresh_idle_seconds=idle_days * 86_400,
        session_lifetime_seconds=lifetime_days * 86_400,
    )


@dataclass(frozen=True)
class NotificationSettings:
    """Where events go once a change is read: webhooks to client back ends, pushes to devices."""

    webhooks_table: str
    webhook_key_id: str  # the KMS key webhook secrets are encrypted with
    delivery_queue_url: str
    expiry_queue_url: str
    push_queue_url: str
    delivery_dead_letter_queue_url: str
    # Seconds between one failed delivery and the next attempt; the last failure after them dead-letters.
    retry_delays: tuple[int, ...]
    fcm_application_arn: str  # SNS platform applications; empty turns that platform's pushes off
    apns_application_arn: str
    # Only the local API sets this: webhooks to http://127.0.0.1 and localhost, for development.
    allow_loopback: bool


# Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; about 27.5 hours in all.
DEFAULT_RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
# SQS holds a message back at most 12 hours (a visibility timeout).
MAX_RETRY_DELAY_SECONDS = 43_200


@cache
def notification_settings() -> NotificationSettings:
    """Read apart from `settings`, by the functions that manage or send notifications only."""
    raw = os.environ.get("ASSENT_WEBHOOK_RETRY_DELAYS", "").strip()
    try:
        delays = tuple(int(part) for part in raw.split(",")) if raw else DEFAULT_RETRY_DELAYS
    except ValueError as error:
        raise ConfigurationError(f"ASSENT_WEBHOOK_RETRY_DELAYS must be whole seconds, not {raw!r}") from error
    if not delays or any(not 0 <= delay <= MAX_RETRY_DELAY_SECONDS for delay in delays):
        raise ConfigurationError(f"ASSENT_WEBHOOK_RETRY_DELAYS must be 0..{MAX_RETRY_DELAY_SECONDS} each")
    return NotificationSettings(
        webhooks_table=_required("ASSENT_WEBHOOKS_TABLE"),
        webhook_key_id=_required("ASSENT_WEBHOOK_KEY_ID"),
        delivery_queue_url=_required("ASSENT_DELIVERY_QUEUE_URL"),
        expiry_queue_url=_required("ASSENT_EXPIRY_QUEUE_URL"),
        push_queue_url=_required("ASSENT_PUSH_QUEUE_URL"),
        delivery_dead_letter_queue_url=_required("ASSENT_DELIVERY_DEAD_LETTER_QUEUE_URL"),
        retry_delays=delays,
        fcm_application_arn=os.environ.get("ASSENT_FCM_APPLICATION_ARN", "").strip(),
        apns_application_arn=os.environ.get("ASSENT_APNS_APPLICATION_ARN", "").strip(),
        allow_loopback=os.environ.get("ASSENT_WEBHOOKS_ALLOW_LOOPBACK", "").strip() == "true",
    )


@cache
def passkey_settings() -> PasskeySettings:
    """Read apart from `settings`, by the flows that take WebAuthn passkeys only."""
    origins = tuple(o.strip() for o in _required("ASSENT_PASSKEY_ORIGINS").split(",") if o.strip())
    return PasskeySettings(
        rp_id=_required("ASSENT_PASSKEY_RP_ID").lower(),
        rp_name=os.environ.get("ASSENT_PASSKEY_RP_NAME", "").strip() or "Assent",
        origins=origins,
    )


def _wallet_settings() -> WalletSettings:
    chain_id = _integer("ASSENT_SIWE_DEFAULT_CHAIN_ID", 1)
    return WalletSettings(
        domain=_required("ASSENT_SIWE_DOMAIN"),
        uri=_required("ASSENT_SIWE_URI"),
        statement=os.environ.get("ASSENT_SIWE_STATEMENT", "").strip(),
        default_chain_id=chain_id,
    )


def _device_settings() -> DeviceSettings:
    cooling_off_hours = _integer("ASSENT_RECOVERY_COOLING_OFF_HOURS", 24)
    test_method = os.environ.get("ASSENT_TEST_SIGN_IN", "false").strip().lower()
    if test_method not in ("true", "false"):
        raise ConfigurationError("ASSENT_TEST_SIGN_IN must be true or false")
    return DeviceSettings(
        firebase_project_id=os.environ.get("ASSENT_FIREBASE_PROJECT_ID", "").strip(),
        firebase_jwks_url=_required("ASSENT_FIREBASE_JWKS_URL"),
        apple_client_id=os.environ.get("ASSENT_APPLE_CLIENT_ID", "").strip(),
        apple_jwks_url=_required("ASSENT_APPLE_JWKS_URL"),
        test_method_enabled=test_method == "true",
        deployment_queue_url=_required("ASSENT_ACCOUNT_DEPLOYMENT_QUEUE_URL"),
        recovery_cooling_off_seconds=cooling_off_hours * 3600,
    )


def _request_limit_settings() -> RequestLimitSettings:
    per_user = _integer("ASSENT_REQUESTS_PER_USER_PER_MINUTE", 10)
    per_client = _integer("ASSENT_REQUESTS_PER_CLIENT_PER_MINUTE", 600)
    per_client_user = _integer("ASSENT_REQUESTS_PER_CLIENT_USER_PER_MINUTE", 5)
    waits_per_client = _integer("ASSENT_WAITS_PER_CLIENT", 10)
    return RequestLimitSettings(
        table=_required("ASSENT_RATE_LIMITS_TABLE"),
        per_user_per_minute=per_user,
        per_client_per_minute=per_client,
        per_client_user_per_minute=per_client_user,
        waits_per_client=waits_per_client,
    )
