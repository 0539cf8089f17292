"""The local gateway as users run it: a separate process, real HTTP on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DEV_API_KEY = "ak_e2e_development_key_0123456789"
SECURE_ACTION_RESEND_SECONDS = 2
# How many times each race is run: a lost update shows up in some trials, not in every one.
TRIALS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Gateway:
    process: subprocess.Popen[str]
    url: str
    store_url: str
    api_key: str
    output: list[str] = field(default_factory=list)

    def stop(self) -> int:
        """Ctrl-C, as a developer stops it."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=20)


def start_gateway(template: Path | None = None) -> Gateway:
    api_port, store_port = free_port(), free_port()
    command = [sys.executable, "-m", "assent_tools.gateway", "--port", str(api_port)]
    command += ["--store-port", str(store_port)]
    if template is not None:
        command += ["--template", str(template)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        # Secure actions may be sent again after 2 s, not a minute, so a test can replace a code.
        # The passkey origin is the gateway's own, from its port, unless the test process (whose
        # conftest set every function variable for port 3000) says otherwise.
        env={
            **{name: value for name, value in os.environ.items() if name != "ASSENT_PASSKEY_ORIGINS"},
            "ASSENT_DEV_API_KEY": DEV_API_KEY,
            "ASSENT_SECURE_ACTION_RESEND_SECONDS": str(SECURE_ACTION_RESEND_SECONDS),
            "PYTHONUNBUFFERED": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    gateway = Gateway(process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{store_port}", DEV_API_KEY)
    assert process.stdout is not None
    threading.Thread(target=lambda: gateway.output.extend(process.stdout), daemon=True).start()  # type: ignore[arg-type]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the gateway exited at start:\n" + "".join(gateway.output))
        try:
            requests.get(gateway.url + "/_local/outbox", timeout=2)
            return gateway
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("the gateway did not start in 90 s:\n" + "".join(gateway.output))


def wait_until(condition: Callable[[], bool], *, seconds: float = 10.0) -> bool:
    """Whether `condition` became true within `seconds` (what the local API does in its own threads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def race(contenders: int, attempt: Callable[[], int]) -> list[int]:
    """`contenders` threads released together by a barrier, each sending one request; their statuses."""
    statuses: list[int] = []
    start = threading.Barrier(contenders)

    def contend() -> None:
        start.wait()
        statuses.append(attempt())

    threads = [threading.Thread(target=contend) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def signed_up(gateway: Gateway, user_key: dict[str, Any], email: str) -> dict[str, Any]:
    """Sign a new user up through Hyphen's `test` method (on in the local gateway); the answer's body."""
    body = {"method": "test", "token": email, "chainName": "flow-testnet", "userKey": user_key}
    answer = requests.post(gateway.url + "/auth/v1/signup", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


@pytest.fixture(scope="session")
def gateway() -> Iterator[Gateway]:
    running = start_gateway()
    yield running
    if running.process.poll() is None:
        running.stop()
