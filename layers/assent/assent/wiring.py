"""The composition root: services wired to their tables, keys and settings, built on first use and kept
for the life of the container.

Each factory imports its own domain modules: a function loads only what its endpoint uses, which is most
of its cold start (`python -m bench cold_start`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from assent.core import aws, config
from assent.core.clock import Clock, Sleep, system_clock, system_sleep

if TYPE_CHECKING:
    from assent.adapters.push import MobilePush
    from assent.adapters.queues import Queue
    from assent.crypto.codes import CodeHasher
    from assent.crypto.tokens import KmsKeys, Tokens
    from assent.repositories.actions import ActionsRepository
    from assent.repositories.operations import OperationsRepository
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.sessions import SessionsRepository
    from assent.repositories.users import UsersRepository
    from assent.repositories.webhooks import WebhooksRepository
    from assent.services.actions import ActionsService
    from assent.services.approvals import Approvals
    from assent.services.authorizations import Authorizations
    from assent.services.clients import ClientsService
    from assent.services.device_signin import DeviceSignIn
    from assent.services.email_verification import EmailVerification
    from assent.services.enrolment import KeyEnrolment
    from assent.services.events import EventRouter
    from assent.services.expiry import Expiry
    from assent.services.lockout import Lockout
    from assent.services.mail_budget import MailBudget
    from assent.services.operations import OperationsService
    from assent.services.passkeys import Passkeys
    from assent.services.pushes import Pushes
    from assent.services.recovery import Recovery
    from assent.services.reinstatement import WalletReinstatement
    from assent.services.request_limits import ApprovalRequestLimits
    from assent.services.secure_actions import SecureActions
    from assent.services.sessions import SessionsService
    from assent.services.step_up import StepUp
    from assent.services.user_keys import UserKeys
    from assent.services.waiting import WaitingCalls
    from assent.services.wallet_signin import WalletSignIn
    from assent.services.webhook_delivery import WebhookSender
    from assent.services.webhooks import SecretBox, Webhooks


@dataclass
class _Time:
    clock: Clock = system_clock
    sleep: Sleep = system_sleep


_time = _Time()


def use_time(clock: Clock = system_clock, sleep: Sleep = system_sleep) -> None:
    """Build every service from here on with this clock and sleep; tests move time through them, and the
    defaults give the system's back."""
    reset()
    _time.clock, _time.sleep = clock, sleep


@cache
def clients_service() -> ClientsService:
    from assent.repositories.clients import ClientsRepository
    from assent.services.clients import ClientsService

    return ClientsService(
        ClientsRepository(aws.dynamodb_table(config.settings().clients_table)), clock=_time.clock
    )


@cache
def request_limits() -> ApprovalRequestLimits:
    from assent.model.limits import Limit
    from assent.repositories.rate_limits import RateLimitsRepository
    from assent.services.request_limits import ApprovalRequestLimits

    limits = config.settings().request_limits
    return ApprovalRequestLimits(
        RateLimitsRepository(aws.dynamodb_table(limits.table)),
        per_user=Limit(limits.per_user_per_minute),
        per_client=Limit(limits.per_client_per_minute),
        per_client_user=Limit(limits.per_client_user_per_minute),
    )


@cache
def waiting_calls() -> WaitingCalls:
    from assent.repositories.rate_limits import RateLimitsRepository
    from assent.services.waiting import WaitingCalls

    limits = config.settings().request_limits
    return WaitingCalls(
        RateLimitsRepository(aws.dynamodb_table(limits.table)),
        per_client=limits.waits_per_client,
        clock=_time.clock,
    )


@cache
def operations_service() -> OperationsService:
    from assent.services.operations import OperationsService

    settings = config.settings()
    return OperationsService(
        operations_repository(),
        request_limits(),
        lifetime_seconds=settings.operation_lifetime_seconds,
        retention_seconds=settings.operation_retention_seconds,
        node_id=settings.node_id,
        clock=_time.clock,
    )


@cache
def token_keys() -> KmsKeys:
    from assent.crypto.tokens import KmsKeys

    settings = config.settings().tokens
    return KmsKeys(aws.client("kms"), settings.signing_key_id, settings.verification_key_ids)


@cache
def tokens() -> Tokens:
    from assent.crypto.tokens import Tokens

    return Tokens(token_keys(), config.settings().tokens, clock=_time.clock)


@cache
def sessions_service() -> SessionsService:
    from assent.services.sessions import SessionsService

    settings = config.settings()
    return SessionsService(
        sessions_repository(), users_repository(), tokens(), settings.tokens, clock=_time.clock
    )


@cache
def users_repository() -> UsersRepository:
    from assent.repositories.users import UsersRepository

    return UsersRepository(aws.dynamodb_table(config.settings().users_table))


@cache
def operations_repository() -> OperationsRepository:
    from assent.repositories.operations import OperationsRepository

    return OperationsRepository(aws.dynamodb_table(config.settings().operations_table))


@cache
def challenges_repository() -> ProofsRepository:
    """Challenges, e-mailed codes and keys waiting on consent: single-use proofs with a deadline."""
    from assent.repositories.proofs import ProofsRepository

    return ProofsRepository(aws.dynamodb_table(config.settings().challenges_table))


@cache
def sessions_repository() -> SessionsRepository:
    from assent.repositories.sessions import SessionsRepository

    return SessionsRepository(aws.dynamodb_table(config.settings().sessions_table))


@cache
def email_verification() -> EmailVerification:
    from assent.services.email_verification import EmailVerification

    return EmailVerification(
        challenges_repository(),
        users_repository(),
        code_hasher(),
        mailer(),
        lockout(),
        clock=_time.clock,
    )


@cache
def lockout() -> Lockout:
    from assent.services.lockout import Lockout

    return Lockout(users_repository(), mailer(), clock=_time.clock)


@cache
def code_hasher() -> CodeHasher:
    from assent.crypto.codes import CodeHasher

    return CodeHasher(aws.client("kms"), config.settings().code_key_id)


@cache
def mailer() -> MailBudget:
    """SES, within each address's mail budget."""
    from assent.adapters.mail import Mailer
    from assent.repositories.rate_limits import RateLimitsRepository
    from assent.services.mail_budget import MailBudget

    settings = config.settings()
    return MailBudget(
        Mailer(aws.client("ses"), settings.sender_email),
        RateLimitsRepository(aws.dynamodb_table(settings.request_limits.table)),
        clock=_time.clock,
    )


@cache
def key_enrolment() -> KeyEnrolment:
    from assent.services.enrolment import KeyEnrolment

    settings = config.settings()
    return KeyEnrolment(
        users=users_repository(),
        proofs=challenges_repository(),
        operations=operations_repository(),
        sessions=sessions_service(),
        limits=request_limits(),
        retention_seconds=settings.operation_retention_seconds,
        node_id=settings.node_id,
    )


@cache
def device_sign_in() -> DeviceSignIn:
    from assent.adapters.deployments import AccountDeployments
    from assent.adapters.identity import IdentityProviders
    from assent.services.device_signin import DeviceSignIn

    settings = config.settings()
    devices = settings.devices
    return DeviceSignIn(
        users=users_repository(),
        challenges=challenges_repository(),
        identities=IdentityProviders(devices),
        sessions=sessions_service(),
        deployments=AccountDeployments(aws.client("sqs"), devices.deployment_queue_url),
        enrolment=key_enrolment(),
        lockout=lockout(),
        operation_lifetime_seconds=settings.operation_lifetime_seconds,
        clock=_time.clock,
    )


@cache
def passkeys() -> Passkeys:
    from assent.services.passkeys import Passkeys

    return Passkeys(
        settings=config.passkey_settings(),
        challenges=challenges_repository(),
        users=users_repository(),
        sessions=sessions_service(),
        lockout=lockout(),
        clock=_time.clock,
    )


@cache
def recovery() -> Recovery:
    from assent.services.recovery import Recovery

    return Recovery(
        users=users_repository(),
        proofs=challenges_repository(),
        hasher=code_hasher(),
        mailer=mailer(),
        enrolment=key_enrolment(),
        lockout=lockout(),
        cooling_off_seconds=config.settings().devices.recovery_cooling_off_seconds,
        clock=_time.clock,
        sleep=_time.sleep,
    )


@cache
def approvals() -> Approvals:
    from assent.services.approvals import Approvals

    return Approvals(
        operations_repository(),
        users_repository(),
        recover=_recover_signer,
        passkeys=passkeys,
        clock=_time.clock,
    )


@cache
def wallet_reinstatement() -> WalletReinstatement:
    from assent.services.reinstatement import WalletReinstatement

    settings = config.settings()
    return WalletReinstatement(
        users=users_repository(),
        operations=operations_repository(),
        limits=request_limits(),
        cooling_off_seconds=settings.devices.recovery_cooling_off_seconds,
        retention_seconds=settings.operation_retention_seconds,
        node_id=settings.node_id,
    )


@cache
def actions_service() -> ActionsService:
    from assent.services.actions import ActionsService

    return ActionsService(actions_repository(), clock=_time.clock)


@cache
def actions_repository() -> ActionsRepository:
    from assent.repositories.actions import ActionsRepository

    return ActionsRepository(aws.dynamodb_table(config.settings().actions_table))


@cache
def authorizations() -> Authorizations:
    from assent.services.authorizations import Authorizations

    settings = config.settings()
    return Authorizations(
        actions=actions_repository(),
        operations=operations_repository(),
        users=users_repository(),
        limits=request_limits(),
        waiting=waiting_calls(),
        max_lifetime_seconds=settings.operation_lifetime_seconds,
        retention_seconds=settings.operation_retention_seconds,
        node_id=settings.node_id,
        clock=_time.clock,
        sleep=_time.sleep,
    )


@cache
def secure_actions() -> SecureActions:
    from assent.repositories.secure_actions import SecureActionsRepository
    from assent.services.secure_actions import SecureActions

    settings = config.settings()
    return SecureActions(
        actions=SecureActionsRepository(aws.dynamodb_table(settings.secure_actions_table)),
        users=users_repository(),
        hasher=code_hasher(),
        mailer=mailer(),
        limits=request_limits(),
        lockout=lockout(),
        retention_seconds=settings.operation_retention_seconds,
        resend_after_seconds=settings.secure_action_resend_seconds,
        clock=_time.clock,
    )


@cache
def user_keys() -> UserKeys:
    from assent.services.user_keys import UserKeys

    return UserKeys(users_repository(), sessions_repository(), step_up(), clock=_time.clock)


@cache
def step_up() -> StepUp:
    from assent.services.step_up import StepUp

    return StepUp(challenges_repository(), users_repository(), _recover_signer, passkeys, clock=_time.clock)


def _recover_signer(message: str, signature: str) -> str | None:
    # Only wallet signatures need coincurve: imported on the first one, so that a function deciding with
    # device keys alone (most approvals) never loads it, and web3/validate's handler imports it at init.
    from assent.crypto.wallets import InvalidSignature, recover_signer

    try:
        return recover_signer(message, signature)
    except InvalidSignature:
        return None


@cache
def wallet_sign_in() -> WalletSignIn:
    from assent.repositories.proofs import ProofsRepository
    from assent.services.wallet_signin import WalletSignIn

    settings = config.settings()
    return WalletSignIn(
        challenges=challenges_repository(),
        step_tokens=ProofsRepository(aws.dynamodb_table(settings.temp_tokens_table)),
        users=users_repository(),
        tokens=tokens(),
        sessions=sessions_service(),
        verification=email_verification(),
        settings=settings.wallet,
        recover=_recover_signer,
        reinstatement=wallet_reinstatement,
        lockout=lockout(),
        clock=_time.clock,
        sleep=_time.sleep,
    )


@cache
def webhooks_repository() -> WebhooksRepository:
    from assent.repositories.webhooks import WebhooksRepository

    return WebhooksRepository(aws.dynamodb_table(config.notification_settings().webhooks_table))


@cache
def queue(name: str) -> Queue:
    """A queue of the notification settings by its role: `delivery`, `expiry`, `push` or `dead_letter`."""
    from assent.adapters.queues import Queue

    settings = config.notification_settings()
    urls = {
        "delivery": settings.delivery_queue_url,
        "expiry": settings.expiry_queue_url,
        "push": settings.push_queue_url,
        "dead_letter": settings.delivery_dead_letter_queue_url,
    }
    return Queue(aws.client("sqs"), urls[name])


@cache
def secret_box() -> SecretBox:
    from assent.services.webhooks import SecretBox

    return SecretBox(aws.client("kms"), config.notification_settings().webhook_key_id)


@cache
def webhooks() -> Webhooks:
    from assent.services.webhooks import Webhooks

    return Webhooks(
        webhooks_repository(),
        secret_box(),
        queue("delivery"),
        allow_loopback=config.notification_settings().allow_loopback,
        clock=_time.clock,
    )


@cache
def mobile_push() -> MobilePush:
    from assent.adapters.push import MobilePush

    settings = config.notification_settings()
    return MobilePush(
        aws.client("sns"),
        fcm_application_arn=settings.fcm_application_arn,
        apns_application_arn=settings.apns_application_arn,
    )


@cache
def event_router() -> EventRouter:
    from assent.services.events import EventRouter

    return EventRouter(
        webhooks_repository(),
        deliveries=queue("delivery"),
        pushes=queue("push"),
        expiries=queue("expiry"),
        push_enabled=mobile_push().enabled,
        clock=_time.clock,
    )


@cache
def webhook_sender() -> WebhookSender:
    from assent.services.webhook_delivery import WebhookSender

    settings = config.notification_settings()
    return WebhookSender(
        webhooks_repository(),
        secret_box(),
        queue("delivery"),
        queue("dead_letter"),
        retry_delays=settings.retry_delays,
        allow_loopback=settings.allow_loopback,
        clock=_time.clock,
    )


@cache
def expiry() -> Expiry:
    from assent.services.expiry import Expiry

    return Expiry(operations_repository(), queue("expiry"), clock=_time.clock)


@cache
def pushes() -> Pushes:
    from assent.services.pushes import Pushes

    return Pushes(users_repository(), webhooks_repository(), mobile_push(), clock=_time.clock)


@cache
def device_registrations() -> UserKeys:
    """The user's keys, with their devices' push tokens registered with SNS as they are given."""
    from assent.services.user_keys import UserKeys

    return UserKeys(
        users_repository(), sessions_repository(), step_up(), clock=_time.clock, push=mobile_push()
    )


def reset() -> None:
    """Drop every cached setting, handle and service (tests, and tools that switch stores)."""
    # Every factory here is cached with functools.cache; found, not listed, so that none is forgotten.
    for factory in [value for value in globals().values() if hasattr(value, "cache_clear")]:
        factory.cache_clear()
    config.settings.cache_clear()
    config.passkey_settings.cache_clear()
    config.notification_settings.cache_clear()
    aws.reset()
