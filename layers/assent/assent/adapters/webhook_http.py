"""Sending one webhook: to a public address only, checked after DNS resolution and connected to as checked,
with no redirect followed and a bounded time (SECURITY.md 41).

The name is resolved once and the connection made to the address that was checked, with the name kept for
TLS (SNI and the certificate's check) and the Host header: a name that resolves to a public address for the
check and to a private one for the connection (DNS rebinding) reaches nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

TIMEOUT_SECONDS = 5.0
# What is read of an answer: its status is all that counts, the rest is for the delivery log.
_MAX_ANSWER_BYTES = 1024


class Refused(Exception):
    """The URL leads somewhere Assent does not send to; no connection was made."""


@dataclass(frozen=True)
class Answer:
    status: int


def post(url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool = False) -> Answer:
    """POST `body` to `url`; the status answered. Refused when the URL's host has any address that is not
    public (only loopback is let through, and only for the local API); urllib3's errors when it cannot be
    reached in time."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    address = _checked_address(host, port, allow_loopback=allow_loopback)
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        # Connected to the checked address; TLS still names, and checks the certificate of, the host.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = host if parts.port in (None, default_port) else f"{host}:{port}"
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        response.read(_MAX_ANSWER_BYTES)
        response.release_conn()
        return Answer(response.status)
    finally:
        pool.close()


def _checked_address(host: str, port: int, *, allow_loopback: bool) -> str:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Refused(f"the host {host} does not resolve") from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    # Every address must pass: otherwise the connection could be steered to the one that does not.
    for address in addresses:
        if not (address.is_global or (allow_loopback and address.is_loopback)):
            raise Refused(f"the host {host} resolves to a private, loopback or link-local address")
    if not addresses:
        raise Refused(f"the host {host} has no address")
    return str(addresses[0])
