"""`assent-local invoke`: one handler with an event file, as `sam local invoke` runs one, without Docker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import ROOT, Gateway, free_port

pytestmark = pytest.mark.e2e

ASSENT_LOCAL = str(Path(sys.executable).parent / "assent-local")


def _invoke(function_id: str, event: str, *more: str) -> subprocess.CompletedProcess[str]:
    command = [ASSENT_LOCAL, "invoke", function_id, "-e", event, *more]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_invoke_prints_the_functions_response_alone_on_stdout():
    """As `sam local invoke` does: the response on stdout, the function's logs on stderr."""
    ran = _invoke("SignUpFunction", "events/hyphen/signup.json", "--store-port", str(free_port()))

    response = json.loads(ran.stdout)
    assert ran.returncode == 0, ran.stderr
    assert response["statusCode"] == 201
    assert set(json.loads(response["body"])) == {"account", "credentials"}
    assert "using a fresh, empty one" in ran.stderr and '"function_name":"SignUpFunction"' in ran.stderr


def test_invoke_names_the_functions_it_knows_when_given_another():
    ran = _invoke("NoSuchFunction", "events/hyphen/signup.json")

    assert ran.returncode == 2 and ran.stdout == ""
    assert "no function NoSuchFunction in template.yaml; one of: AddPasskeyFunction" in ran.stderr


def test_invoke_uses_the_store_of_the_running_local_api(gateway: Gateway):
    """The sample sign-up made over HTTP, then the sample sign-in challenge for its key, invoked alone."""
    sample = json.loads((ROOT / "events/hyphen/signup.json").read_text())
    signed_up = requests.post(f"{gateway.url}/auth/v1/signup", data=sample["body"], timeout=10)
    store_port = gateway.store_url.rsplit(":", 1)[1]

    ran = _invoke(
        "SignInChallengeFunction", "events/hyphen/signin_challenge.json", "--store-port", store_port
    )

    assert signed_up.status_code == 201, signed_up.text
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["statusCode"] == 200
    assert "fresh" not in ran.stderr


# Run in one process against one fresh store, the sign-up first, so that the samples naming its device key
# find it. Prints each sample's status as JSON.
_EVERY_EVENT = """
import json, sys
from pathlib import Path
from assent_tools.invoke import local_functions
from assent_tools.template import TEMPLATE, load_template, resources_of_type

def event_of(props):
    family, name = Path(props["CodeUri"]).parts[-2:]
    return f"events/{family}/{name}.json"

functions = resources_of_type(load_template(), "AWS::Serverless::Function")
samples = {fid: event_of(props) for fid, props in functions.items()}
order = sorted(samples, key=lambda fid: (samples[fid] != "events/hyphen/signup.json", samples[fid]))
statuses = {}
with local_functions(TEMPLATE, int(sys.argv[1]), 3000, announce=lambda line: None) as invoker:
    for fid in order:
        answer = invoker.invoke(fid, json.loads(Path(samples[fid]).read_text()))
        if "batchItemFailures" in answer:  # a function fed by a stream or a queue: did each record pass?
            statuses[samples[fid]] = 500 if answer["batchItemFailures"] else 200
        else:
            statuses[samples[fid]] = answer.get("statusCode", answer.get("errorType"))
print(json.dumps(statuses))
"""


def test_every_sample_event_is_answered_without_a_server_error():
    """Issue: four samples carried a public key off the curve, so they could only show a 400. Every sample now
    carries real P-256 keys; the sign-up creates its user, the samples for that device key find it, and the
    samples' API key is the fresh store's development client's."""
    ran = subprocess.run(
        [sys.executable, "-c", _EVERY_EVENT, str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    statuses = json.loads(ran.stdout.strip().splitlines()[-1])
    print(json.dumps(statuses, indent=1))  # the figures, with -s

    assert len(statuses) == 51
    assert [event for event, status in statuses.items() if not isinstance(status, int) or status >= 500] == []
    assert statuses["events/hyphen/signup.json"] == 201
    assert statuses["events/hyphen/signin_challenge.json"] == 200  # the sign-up's device key
    # The samples' API key is the fresh store's client's: a client's calls do their work.
    assert (
        statuses["events/unloq/create_action.json"] == statuses["events/keyless/create_operation.json"] == 200
    )
    assert statuses["events/keyless/get_operation.json"] == 200  # the operation the sample before created
