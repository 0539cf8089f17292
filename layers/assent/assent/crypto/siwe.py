"""Sign-In with Ethereum (EIP-4361) messages: built by the server, parsed strictly, checked in full."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assent.crypto.eip55 import InvalidAddress, to_checksum_address

_PREAMBLE = " wants you to sign in with your Ethereum account:"
# RFC 3986 authority: [userinfo@]host[:port], host an IP literal or a registered name.
_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:%]*@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]*)?$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")
# RFC 3986 URI: a scheme, a colon, then only URI characters.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_CHAIN_ID = re.compile(r"^[1-9][0-9]*$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$")
# RFC 3339 date-time; the calendar itself is checked by datetime.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_CLOCK_SKEW = timedelta(seconds=5)
_OPTIONAL_FIELDS = (
    ("Expiration Time", "expiration_time"),
    ("Not Before", "not_before"),
    ("Request ID", "request_id"),
)


class SiweError(ValueError):
    """A message that is not well-formed EIP-4361, or whose fields do not hold."""


def timestamp(value: str) -> datetime:
    """An RFC 3339 date-time; a date that does not exist (31 February) is refused."""
    if not _TIMESTAMP.match(value):
        raise SiweError(f"not an RFC 3339 date-time: {value!r}")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise SiweError(f"not a real date-time: {value!r}") from error


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: str
    version: str = "1"
    statement: str | None = None
    expiration_time: str | None = None
    not_before: str | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default=())
    scheme: str | None = None

    def __post_init__(self) -> None:
        _validate(self)

    def text(self) -> str:
        """The exact text a wallet signs (EIP-4361 §Message Format)."""
        origin = f"{self.scheme}://{self.domain}" if self.scheme else self.domain
        lines = [origin + _PREAMBLE, self.address, ""]
        if self.statement is not None:
            lines.append(self.statement)
        lines += [
            "",
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {self.issued_at}",
        ]
        lines += [
            f"{label}: {getattr(self, name)}" for label, name in _OPTIONAL_FIELDS if getattr(self, name)
        ]
        if self.resources:
            lines.append("Resources:")
            lines += [f"- {resource}" for resource in self.resources]
        return "\n".join(lines)

    def check(
        self,
        *,
        domain: str,
        uri: str,
        chain_id: int,
        nonce: str,
        now: datetime,
        max_age: timedelta | None = None,
    ) -> None:
        """Every field against what the server expects at `now` (SECURITY.md 7); raises SiweError.

        With `max_age`, the message must also have been issued within that long before `now`
        (EIP-4361 itself leaves the issue time unchecked).
        """
        if self.domain != domain:
            raise SiweError("the message is for another domain")
        if self.uri != uri:
            raise SiweError("the message is for another URI")
        if self.chain_id != chain_id:
            raise SiweError("the message is for another chain")
        if self.nonce != nonce:
            raise SiweError("the nonce is not the one issued")
        if (
            max_age is not None
            and not now - max_age - _CLOCK_SKEW <= timestamp(self.issued_at) <= now + _CLOCK_SKEW
        ):
            raise SiweError("the message was not issued within its lifetime")
        if self.expiration_time is not None and timestamp(self.expiration_time) <= now:
            raise SiweError("the message has expired")
        if self.not_before is not None and timestamp(self.not_before) > now:
            raise SiweError("the message is not valid yet")


def _validate(message: SiweMessage) -> None:
    if message.scheme is not None and not _SCHEME.match(message.scheme):
        raise SiweError("the scheme is not an RFC 3986 scheme")
    if not message.domain or not _AUTHORITY.match(message.domain):
        raise SiweError("the domain is not an RFC 3986 authority")
    try:
        checksummed = to_checksum_address(message.address)
    except InvalidAddress as error:
        raise SiweError(str(error)) from error
    if message.address != checksummed:
        raise SiweError("the address is not in its EIP-55 form")
    if message.statement is not None and "\n" in message.statement:
        raise SiweError("the statement spans lines")
    for uri in (message.uri, *message.resources):
        if not _URI.match(uri):
            raise SiweError(f"not an RFC 3986 URI: {uri!r}")
    if message.version != "1":
        raise SiweError("the version is not 1")
    if not isinstance(message.chain_id, int) or message.chain_id < 1:
        raise SiweError("the chain id is not a positive integer")
    if not _NONCE.match(message.nonce):
        raise SiweError("the nonce is not 8 or more letters and digits")
    for value in (message.issued_at, message.expiration_time, message.not_before):
        if value is not None:
            timestamp(value)
    if message.request_id is not None and not _REQUEST_ID.match(message.request_id):
        raise SiweError("the request id holds characters a URI path may not")


def parse(text: str) -> SiweMessage:
    """The message a text spells, field by field in the order EIP-4361 fixes; raises SiweError."""
    lines = text.split("\n")
    cursor = _Lines(lines)
    header = cursor.take()
    if not header.endswith(_PREAMBLE):
        raise SiweError("the first line is not an EIP-4361 preamble")
    origin = header[: -len(_PREAMBLE)]
    scheme, _, domain = origin.rpartition("://")
    address = cursor.take()
    cursor.expect("")
    statement = None
    if cursor.peek() != "":
        statement = cursor.take()
    cursor.expect("")
    uri = cursor.field("URI")
    version = cursor.field("Version")
    chain_id = cursor.field("Chain ID")
    nonce = cursor.field("Nonce")
    issued_at = cursor.field("Issued At")
    optional = {name: cursor.optional_field(label) for label, name in _OPTIONAL_FIELDS}
    resources: list[str] = []
    if cursor.peek() == "Resources:":
        cursor.take()
        while cursor.peek() is not None:
            line = cursor.take()
            if not line.startswith("- "):
                raise SiweError("a resource line does not start with '- '")
            resources.append(line[2:])
    if cursor.peek() is not None:
        raise SiweError("unexpected line after the fields")
    if not _CHAIN_ID.match(chain_id):
        raise SiweError("the chain id is not a positive integer")
    return SiweMessage(
        scheme=scheme or None,
        domain=domain,
        address=address,
        statement=statement,
        uri=uri,
        version=version,
        chain_id=int(chain_id),
        nonce=nonce,
        issued_at=issued_at,
        resources=tuple(resources),
        **optional,
    )


class _Lines:
    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._index = 0

    def peek(self) -> str | None:
        return self._lines[self._index] if self._index < len(self._lines) else None

    def take(self) -> str:
        line = self.peek()
        if line is None:
            raise SiweError("the message ends too early")
        self._index += 1
        return line

    def expect(self, value: str) -> None:
        if self.take() != value:
            raise SiweError("the message's blank lines are not where EIP-4361 puts them")

    def field(self, label: str) -> str:
        line = self.take()
        prefix = f"{label}: "
        if not line.startswith(prefix):
            raise SiweError(f"expected the {label} field here")
        return line[len(prefix) :]

    def optional_field(self, label: str) -> str | None:
        line = self.peek()
        return self.field(label) if line is not None and line.startswith(f"{label}: ") else None
