"""Hyphen's auth API (seed 003, and the request shapes of Hyphen's public SDKs): bodies and answers.

Hyphen names its errors (`PleaseRegisterKey`) without showing a body; errors here are
`{"error": code, "message"}`. The key, approval and recovery routes, which Hyphen's docs leave out,
speak the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AliasChoices, BaseModel, Field, model_validator

from assent.core.clock import iso8601
from assent.core.http import FamilyResolver, PlainErrorEnvelope, build_resolver
from assent.model.display_text import DisplayText
from assent.model.operations import Operation
from assent.model.passkeys import Passkey
from assent.model.sessions import Credentials, SignedInAccount
from assent.model.users import (
    WALLET_ADDRESS_PATTERN,
    WALLET_SIGNATURE_PATTERN,
    KeyRecord,
    User,
    is_wallet_address,
)
from assent.services.approvals import Decision, SignedDecision, approval_digest, asks_for_number
from assent.services.device_signin import CHAIN_NAMES, TwoFactorRequest
from assent.services.enrolment import NewKey, Possession, signed_by
from assent.services.step_up import StepUpChallenge, StepUpProof

if TYPE_CHECKING:
    from assent.services.passkeys import Passkeys

MAX_REFRESH_TOKEN_CHARS = 128
MAX_ID_TOKEN_CHARS = 8192
MAX_DEVICE_FIELD_CHARS = 100
PUBLIC_KEY_PATTERN = r"^[0-9a-fA-F]{128}$"
SIGNATURE_PATTERN = r"^[0-9a-fA-F]{128}$"
CHALLENGE_PATTERN = r"^[0-9a-f]{64}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

RequestId = Annotated[
    str,
    Path(pattern=r"^[A-Za-z0-9_]{1,32}\.[A-Za-z0-9._:-]{1,128}$", description="`<clientId>.<operationId>`"),
]
KeyId = Annotated[str, Path(max_length=128, description="A public key (x‖y hex) or a wallet address")]
KeyType = Literal["deviceKey", "passKey"]
# What signs a sign-in challenge: a key above, or Hyphen's recovery key (synced by the phone's keychain).
SigningKeyType = Literal["deviceKey", "passKey", "recoveryKey"]
Method = Literal["firebase", "apple", "test"]
ChainName = Literal[CHAIN_NAMES]  # type: ignore[valid-type]
PublicKeyHex = Field(pattern=PUBLIC_KEY_PATTERN, description="64 bytes, x‖y, as 128 hex digits")
SignatureHex = Field(pattern=SIGNATURE_PATTERN, description="ECDSA P-256/SHA-256, r‖s, as 128 hex digits")


def _key_text(public_key: str) -> str:
    # A wallet's address keeps its case, which carries its EIP-55 checksum (SECURITY.md 8).
    return public_key if is_wallet_address(public_key) else public_key.lower()


class RefreshBody(BaseModel):
    refreshToken: str = Field(min_length=1, max_length=MAX_REFRESH_TOKEN_CHARS)


class CredentialsView(BaseModel):
    accessToken: str
    refreshToken: str


class RefreshResponse(BaseModel):
    credentials: CredentialsView


class Device(BaseModel):
    """What a device says of itself (Hyphen's SDKs send these), shown to the user when approving it."""

    name: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)
    osName: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)
    osVersion: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)
    deviceManufacturer: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)
    deviceModel: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)
    lang: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)
    type: DisplayText | None = Field(default=None, max_length=MAX_DEVICE_FIELD_CHARS)


def _device_fields(device: Device | None) -> dict[str, str]:
    """What a device said of itself, as a key keeps it: the fields it gave."""
    return device.model_dump(exclude_none=True) if device else {}


# WebAuthn's JSON (PublicKeyCredential.toJSON(), @simplewebauthn/browser): binary fields base64url, each
# bounded well above what authenticators send.
Base64Url = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]*={0,2}$", max_length=16384)]


class AttestationResponse(BaseModel):
    clientDataJSON: Base64Url
    attestationObject: Base64Url
    transports: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=8)


class PublicKeyCredentialJSON(BaseModel):
    """What every WebAuthn credential's `toJSON()` gives besides its response."""

    id: Base64Url
    rawId: Base64Url
    type: Literal["public-key"]
    authenticatorAttachment: str | None = Field(None, max_length=32)
    clientExtensionResults: dict[str, Any] = Field(default_factory=dict)


class RegistrationResponse(PublicKeyCredentialJSON):
    """A RegistrationResponseJSON: what `navigator.credentials.create()` made, as `toJSON()` gives it."""

    response: AttestationResponse


class AssertionResponse(BaseModel):
    clientDataJSON: Base64Url
    authenticatorData: Base64Url
    signature: Base64Url
    userHandle: Base64Url | None = None


class AuthenticationResponse(PublicKeyCredentialJSON):
    """An AuthenticationResponseJSON: what `navigator.credentials.get()` gave, as `toJSON()` gives it."""

    response: AssertionResponse


class UserKey(BaseModel):
    """A key to register: a device key or raw passkey by its public key, or a WebAuthn passkey by its
    registration response (`type: "passKey"`, at sign-up)."""

    type: KeyType
    publicKey: str | None = Field(None, pattern=PUBLIC_KEY_PATTERN, description="x‖y, as 128 hex digits")
    credential: RegistrationResponse | None = Field(
        None, description="A WebAuthn passkey: the RegistrationResponseJSON of its registration options"
    )
    device: Device | None = None

    @model_validator(mode="after")
    def _one_key(self) -> UserKey:
        if (self.publicKey is None) == (self.credential is None):
            raise ValueError("give the key's publicKey, or a passkey's credential, and not both")
        if self.credential is not None and self.type != "passKey":
            raise ValueError('a credential registers a passkey: type must be "passKey"')
        return self

    def new_key(self, passkeys: Callable[[], Passkeys]) -> NewKey:
        """The key by its public key, or the passkey its registration response proves (which consumes the
        registration's challenge)."""
        if self.credential is not None:
            return passkeys().new_key(self.credential.model_dump(), _device_fields(self.device))
        return NewKey(self.type, (self.publicKey or "").lower(), _device_fields(self.device))


class SignUpBody(BaseModel):
    method: Method
    token: str = Field(
        min_length=1, max_length=MAX_ID_TOKEN_CHARS, description="The ID token (test: the e-mail)"
    )
    chainName: ChainName
    userKey: UserKey


class AccountAddress(BaseModel):
    chainName: str
    address: str


class Account(BaseModel):
    id: str = Field(description="The user id (also Keyless's userId)")
    addresses: list[AccountAddress] = Field(description="Empty until a deployer has deployed the account")
    parent: list[AccountAddress] = []
    createdAt: str
    chainName: str | None = Field(description="The chain the account is to be deployed on")
    deployed: bool


class SignInResponse(BaseModel):
    account: Account
    credentials: CredentialsView


class IdentityProof(BaseModel):
    method: Method
    token: str = Field(min_length=1, max_length=MAX_ID_TOKEN_CHARS)
    chainName: ChainName | None = None


class ChallengeBody(BaseModel):
    challengeType: SigningKeyType = Field(validation_alias=AliasChoices("challengeType", "type"))
    request: IdentityProof | None = Field(
        None, description="Who the user is, as Hyphen's SDKs send it: the key must be that account's"
    )
    publicKey: str | None = Field(
        None,
        pattern=PUBLIC_KEY_PATTERN,
        description="The key to sign in with (x‖y hex); a passkey may go unnamed (no username)",
    )

    @model_validator(mode="after")
    def _named_unless_passkey(self) -> ChallengeBody:
        if self.publicKey is None and self.challengeType != "passKey":
            raise ValueError("a device key is named by its publicKey")
        return self


class ChallengeResponse(BaseModel):
    challengeData: str = Field(description="32 random bytes as hex: sign the UTF-8 bytes of this string")
    expiresAt: str
    publicKey: dict[str, Any] | None = Field(
        None,
        description="For a passkey: PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get(), "
        "whose challenge is the 32 bytes of challengeData",
    )


class SignatureOnly(BaseModel):
    signature: str = SignatureHex


class NewDeviceKey(BaseModel):
    type: KeyType = "deviceKey"
    publicKey: str = PublicKeyHex
    device: Device | None = None


class RecoveryKeyAnswer(BaseModel):
    """Hyphen's recovery by a synced recovery key: its signature of the challenge, and the new device key."""

    signature: str = SignatureHex
    newDeviceKey: NewDeviceKey


class PasskeyAnswer(BaseModel):
    """A passkey's answer: a raw signature of the challenge text (native apps), or a WebAuthn assertion."""

    signature: str | None = Field(None, pattern=SIGNATURE_PATTERN, description="r‖s of the challenge text")
    credential: AuthenticationResponse | None = None

    @model_validator(mode="after")
    def _one_answer(self) -> PasskeyAnswer:
        if (self.signature is None) == (self.credential is None):
            raise ValueError("give a signature or a credential, and not both")
        return self


class RegistrationOptionsBody(BaseModel):
    displayName: DisplayText | None = Field(
        None, min_length=1, max_length=64, description="What the passkey is called on the user's device"
    )


class RegistrationOptionsResponse(BaseModel):
    options: dict[str, Any] = Field(
        description="PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create()"
    )
    expiresAt: str


class RespondBody(BaseModel):
    challengeType: SigningKeyType = Field(validation_alias=AliasChoices("challengeType", "type"))
    challengeData: str = Field(pattern=CHALLENGE_PATTERN)
    deviceKey: SignatureOnly | None = None
    passKey: PasskeyAnswer | None = None
    recoveryKey: RecoveryKeyAnswer | None = None

    @model_validator(mode="after")
    def _signed_by_its_type(self) -> RespondBody:
        if self._holder() is None:
            raise ValueError(f"{self.challengeType}.signature is required")
        return self

    def _holder(self) -> SignatureOnly | PasskeyAnswer | RecoveryKeyAnswer | None:
        holders = {"deviceKey": self.deviceKey, "passKey": self.passKey, "recoveryKey": self.recoveryKey}
        return holders[self.challengeType]

    @property
    def new_device_key(self) -> NewKey | None:
        """With a recovery key's answer: the device key it brings, to register."""
        if self.challengeType != "recoveryKey" or self.recoveryKey is None:
            return None
        key = self.recoveryKey.newDeviceKey
        return NewKey(key.type, key.publicKey.lower(), _device_fields(key.device))

    @property
    def credential(self) -> AuthenticationResponse | None:
        """A WebAuthn passkey's assertion, if that is the answer."""
        return self.passKey.credential if self.challengeType == "passKey" and self.passKey else None

    @property
    def signature(self) -> str:
        holder = self._holder()
        return (holder.signature or "").lower() if holder else ""


class TwoFactorBody(BaseModel):
    request: IdentityProof
    userKey: UserKey


class TwoFactorRequestView(BaseModel):
    id: str
    srcDevice: Device = Field(description="The new device asking to sign in")
    requestedAt: str


class TwoFactorStatus(BaseModel):
    id: str
    accountId: str
    request: TwoFactorRequestView
    status: Literal["pending", "approved", "denied", "expired", "cancelled"]
    expiresAt: str


class TwoFactorResponse(BaseModel):
    twoFactorAuth: TwoFactorStatus
    challengeData: str = Field(description="What the new device signs to finish, once approved")
    number: str = Field(
        description="Two digits the new device shows; approving on a registered device takes them"
    )


class AnsweredByNewKey(BaseModel):
    """The new key's answer to its challenge: its signature of the text, or, for a WebAuthn passkey, its
    assertion of the bytes the hex text stands for."""

    signature: str | None = Field(None, pattern=SIGNATURE_PATTERN, description="r‖s of the challenge's text")
    credential: AuthenticationResponse | None = Field(
        None, description="A WebAuthn passkey's AuthenticationResponseJSON, in place of a signature"
    )

    @model_validator(mode="after")
    def _one_answer(self) -> AnsweredByNewKey:
        if (self.signature is None) == (self.credential is None):
            raise ValueError("give a signature or a credential, and not both")
        return self

    def possession(self, passkeys: Callable[[], Passkeys]) -> Possession:
        if self.credential is not None:
            return passkeys().answered(self.credential.model_dump())
        return signed_by((self.signature or "").lower())


class FinishBody(AnsweredByNewKey):
    twoFactorAuthRequestId: str = Field(pattern=UUID_PATTERN)


class RecoverBody(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    userKey: UserKey


class RecoverResponse(BaseModel):
    recoveryId: str = Field(description="Sign its UTF-8 bytes with the new key to confirm")
    expiresAt: str


class RecoverConfirmBody(AnsweredByNewKey):
    recoveryId: str = Field(pattern=CHALLENGE_PATTERN)
    code: str = Field(pattern=r"^[0-9]{6}$")


class RecoverConfirmResponse(BaseModel):
    availableAt: str = Field(description="When the recovery may finish, unless a registered device denies it")
    challengeData: str = Field(description="What the new key signs to finish")
    number: str = Field(
        description="Two digits the new device shows; approving the recovery early takes them"
    )


class RecoverFinishBody(AnsweredByNewKey):
    recoveryId: str = Field(pattern=CHALLENGE_PATTERN)


class PasskeyView(BaseModel):
    """What is known of a WebAuthn passkey."""

    aaguid: str = Field(description="The make of authenticator (all zeros when it does not say)")
    backupEligible: bool = Field(description="Whether it may be synced between the user's devices")
    backedUp: bool = Field(description="Whether it was synced when last used")
    lastUsedAt: str | None
    cloneSuspectedAt: str | None = Field(
        description="When its sign count went backwards: a copy may be elsewhere; remove it"
    )


class EditDeviceBody(Device):
    """What Hyphen's SDKs send to update a device (`PUT /device/v1/devices/{publicKey}`): its fields, and the
    token pushes reach it by."""

    id: str | None = Field(None, max_length=128, description="The SDK's own id of the device; not kept")
    pushToken: str | None = Field(
        None,
        pattern=r"^[\x21-\x7e]{1,4096}$",
        description="The FCM or APNs token that pushes reach this device by; stored, never shown",
    )

    def changes(self) -> dict[str, str]:
        return self.model_dump(exclude_none=True, exclude={"id", "pushToken"})


class KeyView(BaseModel):
    id: str = Field(
        description="The public key (x‖y hex), the wallet address, or an EdDSA or RS256 passkey's credential "
        "digest; DELETE /key/v1/keys/{id}"
    )
    type: Literal["deviceKey", "passKey", "wallet", "recoveryKey"]
    device: Device | None = None
    createdAt: str
    revokedAt: str | None = None
    passkey: PasskeyView | None = Field(None, description="Only for a WebAuthn passkey")


class KeysResponse(BaseModel):
    keys: list[KeyView]


class RevokedKey(BaseModel):
    id: str
    sessionsEnded: int


class StepUpChallengeResponse(BaseModel):
    challengeData: str
    message: str = Field(
        description="The exact text to sign: its UTF-8 bytes (P-256), or personal_sign (wallet)"
    )
    expiresAt: str


class SignedByKeyOrPasskey(BaseModel):
    """A live key's signature (`publicKey`, `signature`), or a WebAuthn passkey's assertion (`credential`)
    whose challenge is the bytes of the hex value a key would sign as text."""

    publicKey: str | None = Field(
        None,
        pattern=f"{PUBLIC_KEY_PATTERN}|{WALLET_ADDRESS_PATTERN}",
        description="The signing key: a P-256 key's x‖y as 128 hex digits, or a wallet's address",
    )
    signature: str | None = Field(
        None,
        pattern=f"{SIGNATURE_PATTERN}|{WALLET_SIGNATURE_PATTERN}",
        description="ECDSA P-256/SHA-256 r‖s as 128 hex digits, or a wallet's EIP-191 signature (0x and 65 "
        "bytes of hex)",
    )
    credential: AuthenticationResponse | None = Field(
        None,
        description="A WebAuthn passkey's AuthenticationResponseJSON, in place of publicKey and signature",
    )

    @model_validator(mode="after")
    def _signed_or_asserted(self) -> SignedByKeyOrPasskey:
        by_key = self.publicKey is not None and self.signature is not None and self.credential is None
        by_passkey = self.credential is not None and self.publicKey is None and self.signature is None
        if not (by_key or by_passkey):
            raise ValueError("give publicKey and signature, or a passkey's credential, and not both")
        return self

    @property
    def key_text(self) -> str:
        return _key_text(self.publicKey) if self.publicKey else ""

    @property
    def signature_text(self) -> str:
        return (self.signature or "").lower()

    @property
    def assertion(self) -> dict[str, Any] | None:
        return self.credential.model_dump() if self.credential else None


class NewPasskey(BaseModel):
    credential: RegistrationResponse = Field(
        description="The RegistrationResponseJSON of registration options"
    )
    device: Device | None = None

    def new_key(self, passkeys: Callable[[], Passkeys]) -> NewKey:
        """The passkey its registration response proves (which consumes the registration's challenge)."""
        return passkeys().new_key(self.credential.model_dump(), _device_fields(self.device))


class StepUpProofBody(SignedByKeyOrPasskey):
    """A live key's signature of a step-up challenge's `message`, or a passkey's assertion of its
    `challengeData` bytes."""

    challengeData: str = Field(pattern=CHALLENGE_PATTERN)

    def proof(self) -> StepUpProof:
        return StepUpProof(self.challengeData, self.key_text, self.signature_text, credential=self.assertion)


class CloudKey(BaseModel):
    accountName: DisplayText = Field(max_length=100, description="Where the key is synced, e.g. iCloud")


class RecoveryKeyRegistration(BaseModel):
    publicKey: str = PublicKeyHex
    cloudKey: CloudKey | None = None


class RecoveryKeyBody(BaseModel):
    """Hyphen's recovery-key registration, with the live key's proof Assent asks for besides."""

    recoveryKey: RecoveryKeyRegistration
    proof: StepUpProofBody | None = Field(
        None,
        description="A live key's answer to POST /key/v1/keys/challenge; without it, 403 STEP_UP_REQUIRED",
    )

    def new_key(self) -> NewKey:
        cloud = self.recoveryKey.cloudKey
        return NewKey(
            "recoveryKey", self.recoveryKey.publicKey.lower(), {"name": cloud.accountName} if cloud else {}
        )


class AddPasskeyBody(BaseModel):
    passkey: NewPasskey
    proof: StepUpProofBody = Field(
        description="A live key's answer to POST /key/v1/keys/challenge: the fresh proof it takes"
    )


class Digests(BaseModel):
    approve: str | None = Field(
        description="None when approving takes a number: the device adds `number:<n>` and hashes itself"
    )
    deny: str


class PendingApproval(BaseModel):
    requestId: str = Field(description="`<clientId>.<operationId>`")
    purpose: str
    clientId: str
    clientName: str = Field(description="Who asks: the client's registered name, which the device signs")
    operationId: str
    instance: str = Field(description="This request's own random id, which the device signs with it")
    payload: str | None = Field(description="Exactly what to show; its SHA-256 is in what the device signs")
    createdAt: str
    expiresAt: str
    digests: Digests = Field(description="The digest to sign for each decision (a device may recompute it)")
    numberMatching: bool = Field(description="Approving takes the number the requesting client shows")


class PendingApprovals(BaseModel):
    operations: list[PendingApproval]


class DecisionBody(SignedByKeyOrPasskey):
    """A key's signature of the decision's digest, or a WebAuthn passkey's assertion of its 32 bytes."""

    authType: Literal["biom", "pin"] = Field(
        description="How the user unlocked the key, as the device reports"
    )
    number: str | None = Field(
        None, pattern=r"^[0-9]{1,8}$", description="To approve with number matching: the number entered"
    )

    def signed(self, decision: Decision) -> SignedDecision:
        return SignedDecision(
            decision,
            self.key_text,
            self.signature_text,
            self.authType,
            number=self.number,
            credential=self.assertion,
        )


class DecisionResponse(BaseModel):
    requestId: str
    state: str
    decidedAt: str
    authType: str


def credentials_view(credentials: Credentials) -> CredentialsView:
    return CredentialsView(accessToken=credentials.access_token, refreshToken=credentials.refresh_token)


def account_view(user: User) -> Account:
    return Account(
        id=user.user_id,
        addresses=[],
        createdAt=iso8601(user.created_ms),
        chainName=user.chain_name,
        deployed=user.account_deployed,
    )


def sign_in_response(signed_in: SignedInAccount) -> SignInResponse:
    return SignInResponse(
        account=account_view(signed_in.user), credentials=credentials_view(signed_in.credentials)
    )


def two_factor_response(request: TwoFactorRequest) -> TwoFactorResponse:
    operation = request.operation
    return TwoFactorResponse(
        twoFactorAuth=TwoFactorStatus(
            id=operation.operation_id,
            accountId=operation.user_id,
            request=TwoFactorRequestView(
                id=operation.operation_id,
                srcDevice=Device(**request.device),
                requestedAt=iso8601(operation.created_ms),
            ),
            status=operation.state.value,
            expiresAt=iso8601(operation.expires_at * 1000),
        ),
        challengeData=request.challenge_data,
        number=str(operation.number),
    )


def key_view(key: KeyRecord) -> KeyView:
    return KeyView(
        id=key.public_key,
        type=key.key_type,
        device=Device(**key.device) if key.device else None,
        createdAt=iso8601(key.created_at * 1000),
        revokedAt=iso8601(key.revoked_at * 1000) if key.revoked_at is not None else None,
        passkey=_passkey_view(key.passkey) if key.passkey is not None else None,
    )


def _passkey_view(passkey: Passkey) -> PasskeyView:
    return PasskeyView(
        aaguid=passkey.aaguid,
        backupEligible=passkey.backup_eligible,
        backedUp=passkey.backed_up,
        lastUsedAt=iso8601(passkey.last_used_at * 1000) if passkey.last_used_at is not None else None,
        cloneSuspectedAt=(
            iso8601(passkey.clone_suspected_at * 1000) if passkey.clone_suspected_at is not None else None
        ),
    )


def pending_approval(operation: Operation) -> PendingApproval:
    return PendingApproval(
        requestId=operation.request_id,
        purpose=operation.purpose.value,
        clientId=operation.client_id,
        clientName=operation.client_name,
        operationId=operation.operation_id,
        instance=str(operation.id),
        payload=operation.payload,
        createdAt=iso8601(operation.created_ms),
        expiresAt=iso8601(operation.expires_at * 1000),
        digests=Digests(
            approve=None
            if asks_for_number(operation, Decision.APPROVE)
            else approval_digest(operation, Decision.APPROVE),
            deny=approval_digest(operation, Decision.DENY),
        ),
        # The number itself is never shown here: the person must read it on the client's screen.
        numberMatching=operation.number is not None,
    )


def decision_response(operation: Operation) -> DecisionResponse:
    return DecisionResponse(
        requestId=operation.request_id,
        state=operation.state.value,
        decidedAt=iso8601(operation.decided_ms or 0),
        authType=operation.auth_type or "",
    )


def resolver() -> FamilyResolver:
    return build_resolver(PlainErrorEnvelope())


def step_up_challenge_response(challenge: StepUpChallenge) -> StepUpChallengeResponse:
    return StepUpChallengeResponse(
        challengeData=challenge.challenge_data,
        message=challenge.message,
        expiresAt=iso8601(challenge.expires_at * 1000),
    )
