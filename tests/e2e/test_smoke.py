"""`make smoke` against the local API, so that the smoke test a cloud team runs on its stack cannot rot."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assent_tools import smoke
from tests.e2e.conftest import ROOT, Gateway

pytestmark = pytest.mark.e2e


def test_every_flow_passes_against_the_local_api(gateway: Gateway):
    """The command as `make smoke API_URL=… API_KEY=…` runs it: the key in the environment, not in argv."""
    ran = subprocess.run(
        [sys.executable, "-m", "assent_tools.smoke", gateway.url + "/"],
        cwd=ROOT,
        env={**os.environ, "API_KEY": gateway.api_key},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(ran.stdout)  # the steps and their times, with -s
    outcomes = {
        line[:30].strip(): line[30:].split()[0] for line in ran.stdout.splitlines()[: len(smoke.STEPS)]
    }

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert outcomes == {name: "ok" for name, _ in smoke.STEPS}
    assert "Left in the stack" in ran.stdout


def test_without_an_api_key_the_client_flows_are_skipped_and_say_why(gateway: Gateway):
    run = smoke.run(gateway.url)
    outcomes = {step.name: step.outcome for step in run.steps}

    assert [name for name, outcome in outcomes.items() if outcome == "skipped"] == [
        "operation approved (Keyless)",
        "secure action (Metasky)",
        "authorisation action (UNLOQ)",
    ]
    assert "FAILED" not in outcomes.values()
    assert all("API_KEY" in step.detail for step in run.steps if step.outcome == "skipped")


def test_a_stack_whose_tokens_name_another_audience_fails_the_run(gateway: Gateway):
    """The check is real: tokens verified for the audience a resource server expects, which here is not the
    stack's."""
    run = smoke.run(gateway.url, gateway.api_key, audience="another-service")
    failed = [step.name for step in run.steps if step.outcome == "FAILED"]

    assert failed == ["wallet sign-in (Pakt)", "device sign-in (Hyphen)"]
    assert smoke.main([gateway.url, "--audience", "another-service"]) == 1
