"""Schemathesis against the local API with docs/openapi.json: every default check, real credentials.

`make test` runs a bounded pass (a fixed seed, ASSENT_FUZZ_EXAMPLES cases per operation and phase, 30 unless
set); `make fuzz` runs a longer one. SECURITY.md 27: input that breaks the schema gets a 4xx in the family's
envelope, and nothing gets a 5xx.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assent_tools.openapi import DOCUMENT
from tests.e2e.conftest import ROOT, Gateway, signed_up, start_gateway
from tests.handlers.hyphen import Device

pytestmark = pytest.mark.e2e

SEED = 1
EXAMPLES = int(os.environ.get("ASSENT_FUZZ_EXAMPLES", "30"))
# Checks that schemathesis.toml turns off, each with its reason there.
OFF = {"unsupported_method"}


@pytest.fixture(scope="module")
def fuzzed_gateway() -> Iterator[Gateway]:
    """A gateway of its own: the fuzzer creates actions, operations and users no other test should see."""
    running = start_gateway()
    yield running
    running.stop()


def check_results(ndjson: Path) -> dict[str, Counter[str]]:
    """How many times each check passed, failed or was skipped, from Schemathesis's event stream."""
    results: dict[str, Counter[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == {"name", "status"} and isinstance(node["status"], str) and "_" in node["name"]:
                results.setdefault(node["name"], Counter())[node["status"]] += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        if "ScenarioFinished" in event:
            walk(event)
    return results


def test_the_whole_api_holds_its_document_under_fuzzing(fuzzed_gateway, tmp_path):
    """SECURITY.md 27: no 5xx, every answer in its documented status and schema, bad input refused."""
    answer = signed_up(fuzzed_gateway, Device().user_key(), f"fuzz-{time.time_ns()}@example.com")
    user_id = answer["account"]["id"]
    environment = {
        **os.environ,
        "ASSENT_FUZZ_API_KEY": fuzzed_gateway.api_key,
        "ASSENT_FUZZ_ACCESS_TOKEN": answer["credentials"]["accessToken"],
        "ASSENT_FUZZ_USER_ID": user_id,
        "ASSENT_FUZZ_USER_UUID": str(uuid.UUID(user_id)),
    }
    report, events = tmp_path / "report.json", tmp_path / "events.ndjson"
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "run", str(DOCUMENT)),
        *("--url", fuzzed_gateway.url, "--seed", str(SEED), "--max-examples", str(EXAMPLES)),
        *("--report", "json,ndjson", "--report-json-path", str(report), "--report-ndjson-path", str(events)),
        "--no-color",
    ]
    run = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=1800)

    summary = json.loads(report.read_text())
    checks = check_results(events)
    print(f"{summary['test_cases']['generated']} cases generated, seed {SEED}, {EXAMPLES} examples")
    for name, counts in sorted(checks.items()):
        print(f"  {name:<32} {dict(counts)}")
    assert run.returncode == 0, run.stdout[-20000:]
    assert summary["failures"] == [] and summary["errors"] == []
    documented = sum(len(item) for item in json.loads(DOCUMENT.read_text())["paths"].values())
    assert summary["operations"]["tested"] == summary["operations"]["total"] == documented
    assert summary["test_cases"]["generated"] >= documented * EXAMPLES
    assert all(counts["failure"] == 0 for counts in checks.values())
    defaults = {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "ignored_auth",
    }
    assert defaults <= {name for name, counts in checks.items() if counts["success"]}
    assert not OFF & set(checks)
