"""What each function loads at init: eth-account (over a second to import) only where wallet signatures
are verified. Each handler is imported in a fresh interpreter, as a new Lambda execution environment."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assent_tools.template import ROOT, functions, load_template

FUNCTIONS = functions(load_template())
WALLET_SIGNATURE_FUNCTIONS = {"Web3ValidateFunction"}
_PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
heavy = {"eth_account", "eth_keys", "eth_utils"}
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
def test_only_functions_that_verify_wallet_signatures_load_eth_account(function_id):
    loaded = _heavy_modules(function_id)

    if function_id in WALLET_SIGNATURE_FUNCTIONS:
        assert "eth_account" in loaded
    else:
        assert loaded == []
