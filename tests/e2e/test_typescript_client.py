"""The generated TypeScript client (clients/typescript), compiled and run on Node against the local API: a
client back end's calls go out with the right caller's credentials and come back typed."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.e2e.conftest import ROOT, Gateway

pytestmark = pytest.mark.e2e

CLIENT = ROOT / "clients" / "typescript"


def test_a_client_back_end_creates_reads_and_cancels_an_operation_with_the_typed_client(gateway: Gateway):
    operation_id = f"ts-{time.time_ns()}"
    command = ["node", "examples/operation.mjs", gateway.url, gateway.api_key, "0A1B2C3D", operation_id]
    ran = subprocess.run(
        command,
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    answers = json.loads(ran.stdout)
    assert answers["created"] == [200, {"success": True}]
    assert answers["read"] == [200, "pending"]
    assert answers["cancelled"] == [200, "cancelled"]
    status, error = answers["again"]
    assert status == 409 and error["code"] == "OPERATION_NOT_PENDING"
