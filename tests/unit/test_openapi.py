"""The committed API document is the one the handlers generate, and it names every route of the template."""

from __future__ import annotations

import json

from assent_tools.openapi import DOCUMENT, document, render
from assent_tools.template import resources_of_type
from tests.conftest import TEMPLATE


def test_the_committed_document_is_what_the_handlers_generate():
    generated = render(document(TEMPLATE))

    assert DOCUMENT.read_text() == generated, "docs/openapi.json is stale: run `make openapi`"


def template_routes() -> set[tuple[str, str]]:
    return {
        (event["Properties"]["Method"].lower(), event["Properties"]["Path"])
        for function in resources_of_type(TEMPLATE, "AWS::Serverless::Function").values()
        for event in function.get("Events", {}).values()
        if event["Type"] == "Api"
    }


def test_the_document_and_the_template_name_the_same_routes():
    doc = json.loads(DOCUMENT.read_text())
    documented = {(method, path) for path, item in doc["paths"].items() for method in item}

    assert documented == template_routes()
    routed = [
        f for f in resources_of_type(TEMPLATE, "AWS::Serverless::Function").values() if "Api" in f["Events"]
    ]
    assert len(documented) == len(routed)


def test_every_refusal_is_documented_in_its_family_envelope_and_no_422_is_left():
    doc = json.loads(DOCUMENT.read_text())
    envelopes = {
        "keyless": "KeylessError",
        "pakt": "PaktError",
        "hyphen": "PlainError",
        "unloq": "UnloqError",
        "metasky": "MetaskyError",
        "webhooks": "UnloqError",  # the API-key routes of UNLOQ's envelope
    }
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            family = operation["tags"][0]
            for status, response in operation["responses"].items():
                assert status != "422", (method, path)
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": f"#/components/schemas/{envelopes[family]}"}, (method, path)


def test_the_document_is_valid_openapi_3_1_and_every_reference_resolves():
    """Generators (openapi-typescript, @hey-api/openapi-ts) refuse a document with a dangling $ref."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    doc = json.loads(DOCUMENT.read_text())
    errors = [error.message for error in OpenAPIV31SpecValidator(doc).iter_errors()]

    assert errors == []
