"""Test-wide setup: a fake AWS environment, set from template.yaml before any layer code reads it."""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import pytest
from moto import mock_aws

from assent_tools.runner import LambdaContext
from assent_tools.template import (
    Handler,
    conditions,
    create_keys,
    function_environment,
    functions,
    load_template,
    local_parameters,
    provision,
)
from tests import policies

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = load_template()

for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
)
PARAMETERS = local_parameters({})
# The template's conditions in the deployment the tests run against: the policies' Fn::If read them.
CONDITIONS = conditions(TEMPLATE, PARAMETERS)
# Until the `aws` fixture creates them, every resource is named by its logical id (tables are, for good).
os.environ.update(function_environment(TEMPLATE, {name: name for name in TEMPLATE["Resources"]}, PARAMETERS))


class Clock:
    """The time every service is built with, in the test's hands: it moves only when the test moves it, and a
    service that waits moves it instead of waiting (running `while_waiting` first, if the test set it)."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.while_waiting: Callable[[float], None] | None = None

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        if self.while_waiting is not None:
            self.while_waiting(seconds)
        self.advance(seconds)


def start_of_minute() -> float:
    """The first second of the current minute: rate limits count per minute, and a test that crossed into the
    next one would count afresh."""
    return float(int(time.time()) // 60 * 60 + 1)


@pytest.fixture(scope="session")
def aws() -> Iterator[None]:
    """One moto for the whole session (about ten times faster than one per test), provisioned from the
    template: its tables, KMS keys and SES identities, with the functions' environment resolved to them."""
    with mock_aws():
        physical_ids = provision(boto3.Session(), TEMPLATE, PARAMETERS)
        os.environ.update(function_environment(TEMPLATE, physical_ids, PARAMETERS))
        _PHYSICAL.update(physical_ids)
        _LOGICAL.update({physical: logical for logical, physical in physical_ids.items()})
        yield
        _LOGICAL.clear()
        _PHYSICAL.clear()


def redeploy(overrides: dict[str, str]) -> dict[str, str]:
    """What `sam deploy` with these parameters does to the KMS keys and the functions: the keys a condition
    now holds are created, those it no longer holds are scheduled for deletion (their DeletionPolicy), and
    the functions see the new environment. Returns each key's id by logical id."""
    from assent import wiring

    parameters = {**PARAMETERS, **overrides}
    kms = boto3.client("kms")
    before = dict(_PHYSICAL)
    keys = create_keys(kms, TEMPLATE, parameters, existing=before)
    for logical, key_id in before.items():
        # A physical id may be a parameter's (an SNS platform application), not a resource's.
        if TEMPLATE["Resources"].get(logical, {}).get("Type") == "AWS::KMS::Key" and logical not in keys:
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
            del _PHYSICAL[logical], _LOGICAL[key_id]
    _PHYSICAL.update(keys)
    _LOGICAL.update({physical: logical for logical, physical in keys.items()})
    os.environ.update(function_environment(TEMPLATE, _PHYSICAL, parameters))
    CONDITIONS.update(conditions(TEMPLATE, parameters))
    wiring.reset()
    return keys


def empty_tables() -> dict[str, Any]:
    """Every table, emptied; their handles by name."""
    resource = boto3.resource("dynamodb")
    handles = {name: resource.Table(name) for name in boto3.client("dynamodb").list_tables()["TableNames"]}
    for table in handles.values():
        key_names = [k["AttributeName"] for k in table.key_schema]
        with table.batch_writer() as batch:
            for item in table.scan()["Items"]:
                batch.delete_item(Key={k: item[k] for k in key_names})
    return handles


# The one clock of this process's tests; helpers that age an item read it, tests move it through `clock`.
CLOCK = Clock(0.0)


@pytest.fixture
def clock(aws: None) -> Iterator[Clock]:
    """The clock every service is built with, standing at the first second of a minute; a test moves it."""
    from assent import wiring

    CLOCK.now, CLOCK.while_waiting = start_of_minute(), None
    wiring.use_time(CLOCK, CLOCK.sleep)
    yield CLOCK
    wiring.use_time()


@pytest.fixture
def tables(aws: None, clock: Clock) -> Iterator[dict[str, Any]]:
    """The template's tables, emptied, with the layer's cached services rebuilt against them (and the
    test's clock)."""
    from assent import wiring

    handles = empty_tables()
    wiring.reset()
    yield handles
    wiring.reset()


def another_client_key() -> str:
    """The API key of a second client, for what one client must not see of another's."""
    from assent import wiring

    return wiring.clients_service().create("another client").api_key


@pytest.fixture
def api_key(tables: dict[str, Any]) -> str:
    from assent import wiring

    return wiring.clients_service().create("test client").api_key


_HANDLERS: dict[str, Handler] = {}
# The physical id of each logical id the `aws` fixture created (a table's name, a key's id, a queue's URL),
# and the logical id of each.
_PHYSICAL: dict[str, str] = {}
_LOGICAL: dict[str, str] = {}
_SPECS = functions(TEMPLATE)


class Answer(NamedTuple):
    """What a function answered: its status, headers and decoded body."""

    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error(self) -> str | None:
        """The error code, in whichever family's envelope it came: Hyphen's and the plain `{error}`,
        Keyless's `{code}`, UNLOQ's `{error: {code}}`, Pakt's and Metasky's `{data: {code}}`."""
        body = self.body if isinstance(self.body, dict) else {}
        if isinstance(body.get("error"), str):
            return str(body["error"])
        if isinstance(body.get("error"), dict):
            return str(body["error"]["code"])
        if body.get("success") is False:
            return str(body["code"])
        if body.get("status") == "error":
            return str(body["data"]["code"])
        return None


def invoke(function_id: str, event: dict[str, Any]) -> Answer:
    """Call a function's handler as Lambda would; every AWS call it makes must be allowed by its own policy
    in template.yaml (moto allows everything; AWS would refuse what the policy forgets)."""
    response = invoke_handler(function_id, event)
    body = json.loads(response["body"]) if response.get("body") else None
    headers = {**response.get("headers", {})}
    headers.update(
        {name: ", ".join(values) for name, values in response.get("multiValueHeaders", {}).items()}
    )
    return Answer(response["statusCode"], headers, body)


def invoke_handler(function_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """What a function's handler returns for `event`, its AWS calls checked against its policy (`invoke`);
    for functions fed by an event source, what the event sources (tests/handlers/events.py) call."""
    spec = _SPECS[function_id]
    if function_id not in _HANDLERS:
        _HANDLERS[function_id] = spec.load()
    with policies.recorded() as calls:
        response = _HANDLERS[function_id](
            event, LambdaContext(function_id, timeout_seconds=spec.timeout_seconds)
        )
    if _LOGICAL:
        needed = {p for service, op, params in calls for p in policies.needed(service, op, params, _LOGICAL)}
        refused = needed - policies.allowed(TEMPLATE["Resources"][function_id], CONDITIONS)
        assert not refused, f"{function_id}'s policy in template.yaml does not allow {sorted(refused)}"
        policies.USED.record(function_id, needed, len(calls))
    return response


def api_event(
    sample: str,
    *,
    path_parameters: dict[str, str] | None = None,
    body: Any = ...,
    headers: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """A sample from events/ (the same files `sam local invoke -e` uses), with the given changes.

    `body` may be a JSON-able value or a raw string; a header set to None is removed.
    """
    event = copy.deepcopy(json.loads((ROOT / "events" / sample).read_text()))
    if path_parameters:
        path = event["resource"]
        for name, value in {**event["pathParameters"], **path_parameters}.items():
            path = path.replace("{" + name + "}", value)
        event["path"] = path
        event["pathParameters"] = {**event["pathParameters"], **path_parameters}
    if body is not ...:
        event["body"] = body if isinstance(body, str) or body is None else json.dumps(body)
    for name, value in (headers or {}).items():
        event["headers"] = {k: v for k, v in event["headers"].items() if k.lower() != name.lower()}
        event["multiValueHeaders"] = {
            k: v for k, v in event["multiValueHeaders"].items() if k.lower() != name.lower()
        }
        if value is not None:
            event["headers"][name] = value
            event["multiValueHeaders"][name] = [value]
    return event


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--policy-fit",
        action="store_true",
        help="after the whole suite, fail if a function's policy grants what no handler test's call needs",
    )


class _PolicyFitCollector:
    """Gathers each xdist worker's record of the calls it checked (pytest-xdist's controller hook)."""

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        if "assent_policy_usage" in getattr(node, "workeroutput", {}):
            policies.USED.merge(node.workeroutput["assent_policy_usage"])


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_PolicyFitCollector())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A worker hands its record to the controller; the controller (or a lone process) checks the fit."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["assent_policy_usage"] = policies.USED.dump()
        return
    if not session.config.getoption("--policy-fit"):
        return
    problems, figures = policies.fit_report(TEMPLATE, policies.USED, conditions(TEMPLATE, PARAMETERS))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(figures)
        for problem in problems:
            reporter.write_line(f"POLICY FIT: {problem}", red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
