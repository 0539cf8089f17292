"""What a function's policy in template.yaml allows, and the permissions each AWS call the layer makes needs:
every handler invoked in the tests is checked against its own policy (SECURITY.md 42), since moto does not
enforce IAM and a call the policy forgets fails only once deployed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from assent_tools.template import chosen

# An allowed or needed permission: the IAM action and the resource, named by its logical id in the template
# (a table, "<table>/index/<name>", a key, a queue), or "*" for SES identities.
Permission = tuple[str, str]

_SUB_INDEX = re.compile(r"^\$\{(\w+)\.Arn\}/index/([\w-]+)$")
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
# The recordings under way, innermost last: a handler invoked while another waits (a test deciding during an
# UNLOQ wait) makes its calls for itself, not for the one waiting.
_RECORDINGS: list[list[tuple[str, str, dict[str, Any]]]] = []


def _resource(resource: Any) -> str:
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return str(resource["Fn::GetAtt"][0])
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
        if match := _SUB_INDEX.match(text):
            return f"{match[1]}/index/{match[2]}"
        if ":ses:" in text:
            return "*"
        if ":sns:" in text and text.endswith(":endpoint/*"):
            return "sns:endpoint/*"
    if isinstance(resource, dict) and set(resource) == {"Ref"}:
        return str(resource["Ref"])  # a parameter holding an ARN (an SNS platform application)
    raise ValueError(f"a policy resource this check does not read: {resource!r}")


def allowed(function: Mapping[str, Any], conditions: Mapping[str, bool]) -> set[Permission]:
    """The permissions a function's inline policy statements grant in a deployment where the template's
    conditions have these values."""
    granted: set[Permission] = set()
    for policy in function["Properties"].get("Policies", []):
        for statement in (chosen(s, conditions) for s in policy["Statement"]):
            if statement == {"Ref": "AWS::NoValue"}:
                continue
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = chosen(statement["Resource"], conditions)
            resources = [
                chosen(r, conditions) for r in (resources if isinstance(resources, list) else [resources])
            ]
            granted |= {
                (action, _resource(resource))
                for action in actions
                for resource in resources
                if resource != {"Ref": "AWS::NoValue"}
            }
    return granted


def needed(
    service: str, operation: str, params: Mapping[str, Any], logical: Mapping[str, str]
) -> set[Permission]:
    """The permissions one call needs. `logical` names the logical id of each physical table name, key id
    and queue URL."""
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            return {
                (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", logical[write[kind]["TableName"]])
                for write in params["TransactItems"]
                for kind in write
            }
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return {(f"dynamodb:{operation}", logical[table]) for table in params["RequestItems"]}
        table = logical[params["TableName"]]
        if "IndexName" in params:
            table = f"{table}/index/{params['IndexName']}"
        return {(f"dynamodb:{operation}", table)}
    if service == "kms":
        return {(f"kms:{operation}", logical[params["KeyId"]])}
    if service == "sqs":
        return {(f"sqs:{operation}", logical[params["QueueUrl"]])}
    if service == "ses":
        return {(f"ses:{operation}", "*")}
    if service == "sns" and operation == "CreatePlatformEndpoint":
        return {(f"sns:{operation}", logical[params["PlatformApplicationArn"]])}
    if service == "sns" and operation == "Publish" and ":endpoint/" in params.get("TargetArn", ""):
        return {("sns:Publish", "sns:endpoint/*")}
    raise ValueError(f"a call this check does not read: {service}.{operation}")


class Usage:
    """The permissions each function's calls needed across the handler tests, and the count of calls."""

    def __init__(self) -> None:
        self.needed: dict[str, set[Permission]] = {}
        self.calls = 0

    def record(self, function_id: str, needed: set[Permission], calls: int) -> None:
        self.needed.setdefault(function_id, set()).update(needed)
        self.calls += calls

    def dump(self) -> str:
        return json.dumps({"calls": self.calls, "needed": {f: sorted(p) for f, p in self.needed.items()}})

    def merge(self, dumped: str) -> None:
        data = json.loads(dumped)
        for function_id, needed in data["needed"].items():
            self.record(function_id, {(action, resource) for action, resource in needed}, 0)
        self.calls += data["calls"]


USED = Usage()

# Grants no handler test's call needs, each kept on purpose, with the reason. The fit check fails on an unused
# grant missing here, and on an entry here whose grant is used or gone.
SHARED_PUBLIC_KEY = (
    "checks access tokens, so each of its containers reads the token key's public half once; the tests' one "
    "process shares that read among all functions, and another function made it first in this one's tests"
)
_UNVERIFIED_NOTICE = (
    "the lock-out notice for e-mailed codes (SECURITY.md 28), and the mail budget it spends, go only to a "
    "verified address, and this function's codes verify one: the notice is sent only when the address was "
    "verified another way while a code was pending, which no test arranges"
)
KEPT_UNUSED: dict[tuple[str, str, str], str] = {
    **{
        (function_id, "kms:GetPublicKey", "TokenSigningKeyA"): SHARED_PUBLIC_KEY
        for function_id in (
            "AddPasskeyFunction",
            "ApproveOperationFunction",
            "DenyOperationFunction",
            "ResendVerificationFunction",
            "RevokeKeyFunction",
            "VerifyAccountFunction",
        )
    },
    ("VerifyAccountFunction", "dynamodb:UpdateItem", "RateLimitsTable"): _UNVERIFIED_NOTICE,
    ("VerifyAccountFunction", "ses:SendEmail", "*"): _UNVERIFIED_NOTICE,
}


def grants(template: Mapping[str, Any], conditions: Mapping[str, bool]) -> set[tuple[str, str, str]]:
    """(function, action, resource) of every grant of every function's policy."""
    return {
        (function_id, action, resource)
        for function_id, spec in template["Resources"].items()
        if spec["Type"] == "AWS::Serverless::Function"
        for action, resource in allowed(spec, conditions)
    }


def fit_report(
    template: Mapping[str, Any], usage: Usage, conditions: Mapping[str, bool]
) -> tuple[list[str], str]:
    """What is wrong with the policies' fit to the code (empty when they fit), and the figures."""
    granted = grants(template, conditions)
    never = {(f, a, r) for f, a, r in granted if (a, r) not in usage.needed.get(f, set())}
    problems = [
        f"{f} is granted {a} on {r}, which no handler test's call needs"
        for f, a, r in sorted(never - KEPT_UNUSED.keys())
    ]
    # A public key read is used or not as the order of the tests on a worker has it (the cache is shared):
    # its reason goes stale only if the grant is gone.
    problems += [
        f"KEPT_UNUSED lists {f} {a} on {r}, which is used now or granted no more"
        for f, a, r in sorted(KEPT_UNUSED.keys() - never)
        if KEPT_UNUSED[(f, a, r)] != SHARED_PUBLIC_KEY or (f, a, r) not in granted
    ]
    figures = (
        f"policy fit: {usage.calls} AWS calls of {len(usage.needed)} functions checked against their policy; "
        f"{len(granted)} grants, {len(never)} used by no test "
        f"({len(never & KEPT_UNUSED.keys())} kept on purpose)"
    )
    return problems, figures


@contextmanager
def recorded() -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
    """Every call the layer's own AWS clients make while the block runs: (service, operation, params)."""
    from assent_tools.aws_calls import hooked

    calls: list[tuple[str, str, dict[str, Any]]] = []
    _RECORDINGS.append(calls)

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if _RECORDINGS[-1] is calls:
            calls.append((model.service_model.service_name, model.name, params))

    try:
        with hooked("provide-client-params", record):
            yield calls
    finally:
        _RECORDINGS.pop()
