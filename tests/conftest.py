"""Test-wide setup: a fake AWS environment, set from template.yaml before any layer code reads it."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from assent_tools.runner import LambdaContext
from assent_tools.template import (
    Handler,
    function_environment,
    functions,
    load_template,
    local_parameters,
    provision,
)

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
# Until the `aws` fixture creates them, every resource is named by its logical id (tables are, for good).
os.environ.update(function_environment(TEMPLATE, {name: name for name in TEMPLATE["Resources"]}, PARAMETERS))


@pytest.fixture(scope="session")
def aws() -> Iterator[None]:
    """One moto for the whole session (about ten times faster than one per test), provisioned from the
    template: its tables, KMS keys and SES identities, with the functions' environment resolved to them."""
    with mock_aws():
        physical_ids = provision(boto3.Session(), TEMPLATE, PARAMETERS)
        os.environ.update(function_environment(TEMPLATE, physical_ids, PARAMETERS))
        yield


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


@pytest.fixture
def tables(aws: None) -> Iterator[dict[str, Any]]:
    """The template's tables, emptied, with the layer's cached services rebuilt against them."""
    from assent import wiring

    handles = empty_tables()
    wiring.reset()
    yield handles
    wiring.reset()


@pytest.fixture
def api_key(tables: dict[str, Any]) -> str:
    from assent import wiring

    return wiring.clients_service().create("test client").api_key


_HANDLERS: dict[str, Handler] = {}
_SPECS = functions(TEMPLATE)


def invoke(function_id: str, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """Call a function's handler as Lambda would; returns status, headers and the decoded body."""
    spec = _SPECS[function_id]
    if function_id not in _HANDLERS:
        _HANDLERS[function_id] = spec.load()
    response = _HANDLERS[function_id](event, LambdaContext(function_id, timeout_seconds=spec.timeout_seconds))
    body = json.loads(response["body"]) if response.get("body") else None
    headers = {**response.get("headers", {})}
    headers.update(
        {name: ", ".join(values) for name, values in response.get("multiValueHeaders", {}).items()}
    )
    return response["statusCode"], headers, body


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
