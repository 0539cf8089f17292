"""What each function loads at init: no eth-account library anywhere (over a second to import; wallets
are recovered on coincurve), and no JWT library where only API keys are taken. Each handler is imported
in a fresh interpreter, as a new Lambda execution environment. Times are measured in bench/cold_start.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assent_tools.template import ROOT, functions, load_template

FUNCTIONS = functions(load_template())
# Their callers are client back ends with API keys; no access token is ever verified or minted there.
API_KEY_FAMILIES = {"keyless", "unloq", "metasky"}
_PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
heavy = {"eth_account", "eth_keys", "eth_utils", "jwt"}
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in heavy)))
"""


def _heavy_modules(function_id: str) -> list[str]:
    spec = FUNCTIONS[function_id]
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, str(spec.code_dir / "app.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "layers" / "assent"), "PATH": "/usr/bin:/bin"},
    )
    loaded: list[str] = json.loads(completed.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_no_function_loads_an_ethereum_library(function_id):
    loaded = _heavy_modules(function_id)

    assert not any(name.startswith("eth_") for name in loaded)


@pytest.mark.parametrize(
    "function_id", sorted(f for f, spec in FUNCTIONS.items() if spec.code_dir.parent.name in API_KEY_FAMILIES)
)
def test_functions_that_take_only_api_keys_load_no_jwt_library(function_id):
    assert "jwt" not in _heavy_modules(function_id)
