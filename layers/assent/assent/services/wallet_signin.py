"""Wallet sign-in (Pakt's web3 flow): request a Sign-In with Ethereum message, sign it, onboard once.

request  → a server-built EIP-4361 message and the random handle of the stored challenge, its temp token:
           no KMS call on a route anyone may call (a handle needs no signature: it names a stored item).
validate → the challenge is consumed, the EIP-191 signature checked against the message's address;
           a wallet that belongs to a user signs straight in, any other gets a step token to onboard; a
           revoked wallet is reinstated after a cooling-off its user's devices can stop (reinstatement.py).
onboard  → the user and their wallet are created in one transaction, and a session begins. The e-mail is
           kept unverified, claiming nothing, until its code is entered: onboarding answers alike whether
           or not someone holds the address (SECURITY.md 34).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from assent.core.clock import Clock, Sleep, iso8601, system_clock, system_sleep, wait_out
from assent.core.config import WalletSettings
from assent.core.errors import InvalidRequest, InvalidToken, SignInFailed, WalletTaken
from assent.core.observability import logger
from assent.crypto.eip55 import InvalidAddress, to_checksum_address
from assent.crypto.siwe import SiweError, SiweMessage, parse
from assent.crypto.tokens import IssuedToken, TokenType
from assent.model.lockout import Factor
from assent.model.sessions import SignedInAccount
from assent.model.users import InvalidEmail, KeyRecord, User, new_user_id, normalise_email, wallet_key
from assent.repositories.transactions import transact

if TYPE_CHECKING:
    from assent.crypto.tokens import Tokens
    from assent.crypto.wallets import RecoverSigner
    from assent.model.sessions import Credentials
    from assent.repositories.proofs import ProofsRepository
    from assent.repositories.users import UsersRepository
    from assent.services.email_verification import EmailVerification
    from assent.services.lockout import Lockout
    from assent.services.reinstatement import WalletReinstatement
    from assent.services.sessions import SessionsService

CHALLENGE_SECONDS = 300  # SECURITY.md 5
ONBOARD_SECONDS = 600  # time to fill in the onboarding form
# A wrong signature is answered no sooner than this: far above the write that counts it for a registered
# wallet (SECURITY.md 26).
WRONG_SIGNATURE_ANSWER_SECONDS = 0.25
STEP_ONBOARD = "web3.onboard"


@dataclass(frozen=True)
class WalletChallenge:
    message: str
    handle: str  # the stored challenge's name, the wallet's temp token: no token is signed for it
    expires_in: int


@dataclass(frozen=True)
class Onboarding:
    """A new wallet: the step token lets it onboard."""

    account: str
    temp_token: IssuedToken
    expires_in: int


@dataclass(frozen=True)
class SignedIn:
    """A wallet that already belongs to a user: a session, and no second onboarding."""

    account: str
    user: User
    credentials: Credentials


def _utc(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC)


class WalletSignIn:
    def __init__(
        self,
        *,
        challenges: ProofsRepository,
        step_tokens: ProofsRepository,
        users: UsersRepository,
        tokens: Tokens,
        sessions: SessionsService,
        verification: EmailVerification,
        settings: WalletSettings,
        recover: RecoverSigner,
        reinstatement: Callable[[], WalletReinstatement],
        lockout: Lockout,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
    ) -> None:
        self._challenges = challenges
        self._step_tokens = step_tokens
        self._users = users
        self._tokens = tokens
        self._sessions = sessions
        self._verification = verification
        self._settings = settings
        self._recover = recover
        # Built only for a revoked wallet, so that a sign-in does not load what it never uses.
        self._reinstatement = reinstatement
        self._lockout = lockout
        self._clock = clock
        self._sleep = sleep

    def request(self, account: str, chain_id: int | None = None) -> WalletChallenge:
        try:
            address = to_checksum_address(account)
        except InvalidAddress as error:
            raise InvalidRequest(f"account: {error}") from error
        now = self._clock()
        chain = chain_id or self._settings.default_chain_id
        nonce = secrets.token_hex(32)  # SECURITY.md 1: 32 bytes from the CSPRNG
        # 256 random bits name the stored challenge; whoever holds them may answer it, once (SECURITY.md 3).
        handle = secrets.token_urlsafe(32)
        expires_at = int(now) + CHALLENGE_SECONDS
        message = SiweMessage(
            domain=self._settings.domain,
            address=address,
            statement=self._settings.statement or None,
            uri=self._settings.uri,
            chain_id=chain,
            nonce=nonce,
            issued_at=iso8601(int(now * 1000)),
            expiration_time=iso8601(expires_at * 1000),
        ).text()
        self._challenges.put(
            f"siwe#{handle}",
            {"address": address, "message": message, "nonce": nonce, "chain_id": chain},
            expires_at=expires_at,
            now=int(now),
        )
        return WalletChallenge(message, handle, CHALLENGE_SECONDS)

    def validate(self, signature: str, temp_token: str) -> Onboarding | SignedIn:
        now = self._clock()
        # Consumed before the signature is checked: a challenge answers one attempt (SECURITY.md 3). A handle
        # never issued, used or expired finds none, and answers as a wrong signature does.
        challenge = self._challenges.consume(f"siwe#{temp_token}", now=int(now))
        if challenge is None:
            raise SignInFailed("the signature does not prove this sign-in")
        claimed = str(challenge.fields["address"])
        text = str(challenge.fields["message"])
        try:
            # The text was built here, yet every field is checked again on return (SECURITY.md 7).
            message = parse(text)
            message.check(
                domain=self._settings.domain,
                uri=self._settings.uri,
                chain_id=int(challenge.fields["chain_id"]),
                nonce=str(challenge.fields["nonce"]),
                now=_utc(now),
                max_age=timedelta(seconds=CHALLENGE_SECONDS),
            )
        except SiweError as error:
            raise SignInFailed("the signature does not prove this sign-in") from error
        signer = self._recover(text, signature)
        failed = SignInFailed("the signature does not prove this sign-in")
        if message.address != claimed:
            raise failed
        address = message.address
        key = self._users.key(wallet_key(address))
        # Recovering *an* address proves nothing; it must be the one the message names (SECURITY.md 9).
        if signer is None or signer != address:
            self._wrong_signature(key, began=now)
            raise failed
        user = self._users.get(key.user_id) if key else None
        if key is not None and user is not None:
            self._lockout.refuse_if_closed(user, Factor.WALLET)
            if not key.live:
                self._reinstatement().reinstate(key, now=now)
            self._lockout.proved(user, Factor.WALLET)
            return SignedIn(address, user, self._sessions.start(user.user_id, wallet_key(address)))
        step = self._tokens.issue(TokenType.STEP, address, ONBOARD_SECONDS, stp=STEP_ONBOARD)
        self._step_tokens.put(
            f"step#{step.jti}",
            {"address": address, "step": STEP_ONBOARD},
            expires_at=step.expires_at,
            now=int(now),
        )
        return Onboarding(address, step, ONBOARD_SECONDS)

    def onboard(self, temp_token: str, *, first_name: str, last_name: str, email: str) -> SignedInAccount:
        claims = self._step_claims(temp_token, STEP_ONBOARD)
        try:
            normalised = normalise_email(email)
        except InvalidEmail as error:
            raise InvalidRequest(f"email: {error}") from error
        now = self._clock()
        address = str(claims["sub"])
        user = User(
            user_id=new_user_id(),
            email=normalised,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            created_ms=int(now * 1000),
        )
        wallet_record = KeyRecord(
            ref=wallet_key(address),
            user_id=user.user_id,
            key_type="wallet",
            public_key=address,
            created_at=int(now),
        )
        consume = self._step_tokens.consume_item(
            f"step#{claims['jti']}", now=int(now), address=address, step=STEP_ONBOARD
        )
        wallet_taken = WalletTaken("this wallet already belongs to a user: sign in instead")
        transact(
            self._step_tokens.client,
            [
                consume.refused_with(InvalidToken("the token is not valid")),
                *self._users.create_items(user, wallet_record, key_taken=wallet_taken),
            ],
        )
        credentials = self._sessions.start(user.user_id, wallet_key(address))
        try:
            self._verification.send(user)
        except ClientError:
            # The user exists and is signed in; the code can be sent again from the resend endpoint.
            logger.exception("the verification e-mail could not be sent")
        return SignedInAccount(user, credentials)

    def _wrong_signature(self, key: KeyRecord | None, *, began: float) -> None:
        """A wrong signature counts against a registered wallet's account (SECURITY.md 28), yet answers as
        for any address: anyone may ask for a challenge for any address, so the answer must not tell which
        belong to someone (SECURITY.md 26): the same 401, even while locked, after the same fixed time."""
        if key is not None:
            self._lockout.count(key.user_id, Factor.WALLET)
        wait_out(self._clock, self._sleep, began=began, seconds=WRONG_SIGNATURE_ANSWER_SECONDS)

    def _step_claims(self, token: str, step: str) -> dict:
        claims = self._tokens.verify(token, TokenType.STEP)
        if claims.get("stp") != step:
            raise InvalidToken("the token is not valid")
        return claims
