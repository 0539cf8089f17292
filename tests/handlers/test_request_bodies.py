"""Every route refuses a malformed body with a 4xx in its family's envelope, before any parser sees it
(SECURITY.md 27): here, a body nested far deeper than any documented one, within the size limit."""

from __future__ import annotations

import base64

import pytest

from assent_tools.template import functions
from tests.conftest import TEMPLATE, api_event, invoke

# 20,000 nested arrays: 40 KB, within the 64 KiB limit, and far past Python's recursion limit.
DEEP = "[" * 20_000 + "]" * 20_000
# Every function behind a route (the others read only what Assent's own streams and queues give them).
FUNCTIONS = sorted(
    (function_id, spec)
    for function_id, spec in functions(TEMPLATE).items()
    if "Api" in TEMPLATE["Resources"][function_id]["Properties"]["Events"]
)


def _sample(code_dir) -> str:  # type: ignore[no-untyped-def]
    """The function's sample event under events/, named as its code folder is."""
    return f"{code_dir.parent.name}/{code_dir.name}.json"


@pytest.mark.parametrize(("function_id", "spec"), FUNCTIONS, ids=[f for f, _ in FUNCTIONS])
def test_a_deeply_nested_body_is_a_400_in_the_familys_envelope_on_every_route(tables, function_id, spec):
    """SECURITY.md 27."""
    answer = invoke(function_id, api_event(_sample(spec.code_dir), body=DEEP))

    assert answer.status == 400, answer.body
    assert answer.error is not None  # the family's own envelope, with its code


@pytest.mark.parametrize(("function_id", "spec"), FUNCTIONS, ids=[f for f, _ in FUNCTIONS])
def test_a_documented_body_wrapped_in_an_array_is_a_400_on_every_route(tables, api_key, function_id, spec):
    """SECURITY.md 27, found by fuzzing: `[{}]` was taken as `{}` (the validation read an array's first
    element), so registration-options answered 200 to a body its document refuses."""
    sample = api_event(_sample(spec.code_dir))

    answer = invoke(function_id, api_event(_sample(spec.code_dir), body=f"[{sample.get('body') or '{}'}]"))

    assert answer.status == 400, answer.body
    assert answer.error is not None


def test_the_same_body_base64_encoded_is_refused_alike(tables):
    """SECURITY.md 27: API Gateway may hand the body over base64-encoded."""
    event = api_event("keyless/create_operation.json", body=base64.b64encode(DEEP.encode()).decode())
    event["isBase64Encoded"] = True

    answer = invoke("CreateOperationFunction", event)

    assert (answer.status, answer.error) == (400, "INVALID_REQUEST")


def test_brackets_inside_strings_are_text_not_nesting(api_key):
    """A payload may say anything; only the body's own structure is measured."""
    body = {"operationId": "brackets", "operationPayload": "[" * 500}

    answer = invoke(
        "CreateOperationFunction",
        api_event("keyless/create_operation.json", body=body, headers={"X-Api-Key": api_key}),
    )

    assert answer.status == 200, answer.body
