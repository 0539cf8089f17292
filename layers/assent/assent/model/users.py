"""Users: one identity across every family, with an e-mail, names, and the keys that prove who they are.

A user id is 32 upper-case hex digits (128 random bits). Keyless's `userId` is that string as it is;
Metasky's `user_uuid` is the same 128 bits written as a UUID (`uuid.UUID(hex=user_id)`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from assent.model.lockout import Factor, FactorState
from assent.model.passkeys import Passkey

MAX_EMAIL_CHARS = 254
MAX_NAME_CHARS = 100
# Deliberately plain: one @, no spaces, a dot in the domain. Whether it reaches a person is what the
# e-mailed code shows.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


# A wallet as Ethereum writes it: an address, and a personal_sign (EIP-191) signature with its recovery id.
WALLET_ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
WALLET_SIGNATURE_PATTERN = r"^0x[0-9a-fA-F]{130}$"
_WALLET_ADDRESS = re.compile(WALLET_ADDRESS_PATTERN)


class InvalidEmail(ValueError):
    pass


def new_user_id() -> str:
    return uuid.uuid4().hex.upper()


def normalise_email(value: str) -> str:
    """The one form an address is stored and compared in, so that it is unique whatever its case."""
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email):
        raise InvalidEmail("not an e-mail address")
    return email


def is_wallet_address(text: str) -> bool:
    """Whether `text` names a wallet (its checksum, if mixed case, is checked where it is used)."""
    return bool(_WALLET_ADDRESS.match(text))


def wallet_key(address: str) -> str:
    """The key reference of a wallet: its checksummed address (SECURITY.md 8)."""
    return f"wallet#{address}"


def device_key(fingerprint: str) -> str:
    """The key reference of a device key or passkey: the SHA-256 of its x‖y."""
    return f"p256#{fingerprint}"


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    first_name: str
    last_name: str
    created_ms: int
    email_verified: bool = False
    # Hyphen accounts: the chain the account is to be deployed on, and whether a deployer has done so.
    chain_name: str | None = None
    account_deployed: bool = False
    # Lock-out (SECURITY.md 28): each factor's run of failures, as stored; a factor absent has none.
    factors: Mapping[Factor, FactorState] = field(default_factory=dict)

    def factor(self, factor: Factor) -> FactorState:
        return self.factors.get(factor, FactorState())

    def has_lockout_to_end(self, factor: Factor) -> bool:
        """Whether proving `factor` changes anything: a run of its failures, or another factor disabled."""
        return bool(self.factor(factor).failures) or any(
            self.factor(other).disabled for other in Factor if other is not factor
        )


@dataclass(frozen=True)
class KeyRecord:
    """A key a user proves possession of: a wallet (`wallet#0x…`), a P-256 key (`p256#<fingerprint>`), or a
    WebAuthn passkey of another algorithm (`passkey#<credential digest>`)."""

    ref: str
    user_id: str
    key_type: str  # wallet, deviceKey or passKey
    public_key: str  # the checksummed address, x‖y as hex, or a passkey's credential digest
    created_at: int
    device: dict[str, str] | None = None
    revoked_at: int | None = None
    passkey: Passkey | None = None  # a WebAuthn passkey's credential; None for a raw key that signs text
    # The SNS mobile-push endpoint its device registered (PUT /device/v1/devices), and whether SNS has
    # since said that endpoint is disabled (the app was removed, the token expired).
    push_endpoint: str | None = None
    push_disabled: bool = False

    @property
    def live(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class KeyHolder:
    """A key and the user who holds it, read together."""

    key: KeyRecord
    user: User
