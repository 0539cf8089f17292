"""The custom metrics the alarms watch (docs/deploying.md#alarms), as the functions write them: CloudWatch's
embedded metric format on stdout, read here as CloudWatch would."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assent_tools.aws_calls import failing_call
from tests.handlers.hyphen import Device, challenge, respond, signed_up


@pytest.fixture
def emitted(monkeypatch, capsys):
    """The metrics the functions flush while the test runs, summed by name (the tests switch flushing off)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    def read() -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in capsys.readouterr().out.splitlines():
            record: dict[str, Any] = json.loads(line) if line.startswith('{"_aws"') else {}
            for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
                assert directive["Namespace"] == "Assent"
                for metric in directive["Metrics"]:
                    value = record[metric["Name"]]
                    totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                        value if isinstance(value, list) else [value]
                    )
        return totals

    return read


def test_failed_proofs_and_the_locks_they_begin_are_counted(tables, emitted):
    """SECURITY.md 28: six wrong signatures of a device key: six failures, the sixth beginning a lock."""
    phone = Device()
    signed_up(phone, "counted@example.com")
    emitted()
    for _ in range(6):
        issued = challenge(phone).body["challengeData"]
        assert respond(phone, issued, signature=Device().sign(issued)).status == 401

    totals = emitted()

    assert (totals["FactorFailures"], totals["FactorsLocked"]) == (6, 1)
    assert "FactorsDisabled" not in totals


def test_a_call_aws_throttles_is_counted_and_refused_as_unavailable(tables, emitted):
    """KMS's request quota reached (its Sign for the access token): the caller is told to come back, and the
    alarm's metric counts it."""
    phone = Device()
    signed_up(phone, "throttled@example.com")
    issued = challenge(phone).body["challengeData"]
    emitted()

    with failing_call(1, "kms", code="ThrottlingException"):
        answer = respond(phone, issued)

    assert answer.status == 503, answer.body
    assert emitted()["AwsCallsThrottled"] == 1
