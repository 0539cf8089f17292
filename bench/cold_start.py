"""Init cost of every function: the time to import its handler module in a fresh interpreter that sees
only the runtime dependencies (installed from layers/assent/requirements.txt into .bench/runtime, as the
layer is), the layer and the function's own folder, as Lambda would; against the floor of importing boto3
and Powertools' REST resolver alone, in the same run, rounds interleaved. Also which heavy packages each
function loads beyond the floor, from `-X importtime`.

    make bench            (installs .bench/runtime first)
    .venv/bin/python -m bench cold_start
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from assent_tools.template import ROOT, function_environment, functions, load_template, local_parameters
from bench.report import median, print_table, spread

RUNTIME = ROOT / ".bench" / "runtime"
LAYER = ROOT / "layers" / "assent"
ROUNDS = 5
GOAL = 1.25
HEAVY_MS = 15.0
# The issue's floor, and the same plus what request validation needs (pydantic, Powertools' OpenAPI
# params), which every function uses: the difference is the price of validation, not of Assent's code.
FLOORS = ("floor", "validation floor")  # a package is named when its first import takes at least this long

# Runs with -S (no site-packages of the interpreter): sys.path is the stdlib plus what Lambda puts there.
_PROBE = """
import importlib.util, json, sys, time
sys.path[:0] = sys.argv[2:]
target = sys.argv[1]
start = time.perf_counter()
if target == "floor":
    import boto3
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
elif target == "validation floor":
    import boto3
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.openapi.params import Path
    from pydantic import BaseModel
    APIGatewayRestResolver(enable_validation=True)
else:
    spec = importlib.util.spec_from_file_location("app", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
elapsed = time.perf_counter() - start
# What the first request adds: the services it uses are built (and their modules imported) on first use.
services_ms = 0.0
if target.endswith(".py"):
    import assent.access as access
    import assent.wiring as services
    used = {v for v in vars(module).values() if getattr(v, "__module__", "") == "assent.wiring"}
    names = vars(module).values()
    if any(v is access.ClientCaller for v in names):
        used.add(services.clients_service)
    if any(v is access.UserCaller or v is access.user_from_access_token for v in names):
        used.add(services.tokens)
    if any(v is access.UserCaller for v in names):
        used.add(services.sessions_service)  # a user route checks the token's session is live
    start = time.perf_counter()
    for factory in used:
        factory()
    services_ms = (time.perf_counter() - start) * 1000
packages = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"ms": elapsed * 1000, "services_ms": services_ms, "packages": packages}))
"""
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _interpreter() -> str:
    """Lambda's Python (3.13), the one the runtime dependencies were installed for."""
    python = os.environ.get("PYTHON") or sys.executable
    return str(Path(python).resolve())


def _environment() -> dict[str, str]:
    template = load_template()
    names = {name: name for name in template["Resources"]}
    return {
        "PATH": "/usr/bin:/bin",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        **function_environment(template, names, local_parameters({})),
    }


def _probe(
    target: str, code_dir: Path | None, *, importtime: bool = False
) -> subprocess.CompletedProcess[str]:
    path = [str(code_dir)] if code_dir else []
    path += [str(RUNTIME), str(LAYER)]
    flags = ["-S", "-E"] + (["-X", "importtime"] if importtime else [])
    return subprocess.run(
        [_interpreter(), *flags, "-c", _PROBE, target, *path],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
        cwd="/",
    )


def _first_imports(stderr: str) -> dict[str, float]:
    """ms of each top-level package's first import (its cumulative time, where it first appears)."""
    first: dict[str, float] = {}
    for match in _IMPORT_LINE.finditer(stderr):
        package = match.group(4).split(".")[0]
        if match.group(4) == package and package not in first:
            first[package] = int(match.group(2)) / 1000
    return first


def measure() -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[tuple[str, float]]]]:
    specs = functions(load_template())
    samples: dict[str, list[float]] = defaultdict(list)
    first_use: dict[str, list[float]] = defaultdict(list)
    # A first round, not counted, writes the bytecode caches, as the build ships them.
    for round_number in range(ROUNDS + 1):
        counted = round_number > 0
        for floor in FLOORS:
            ms = json.loads(_probe(floor, None).stdout)["ms"]
            samples[floor] += [ms] if counted else []
        for function_id, spec in sorted(specs.items()):
            app = spec.code_dir / "app.py"
            probed = json.loads(_probe(str(app), spec.code_dir).stdout)
            samples[function_id] += [probed["ms"]] if counted else []
            first_use[function_id] += [probed["services_ms"]] if counted else []
    floor_packages = set(json.loads(_probe("validation floor", None).stdout)["packages"])
    heavy: dict[str, list[tuple[str, float]]] = {}
    for function_id, spec in sorted(specs.items()):
        traced = _probe(str(spec.code_dir / "app.py"), spec.code_dir, importtime=True)
        first = _first_imports(traced.stderr)
        beyond = [(p, ms) for p, ms in first.items() if p not in floor_packages and ms >= HEAVY_MS]
        heavy[function_id] = sorted(beyond, key=lambda item: -item[1])[:4]
    return dict(samples), dict(first_use), heavy


def main() -> None:
    if not (RUNTIME / "boto3").is_dir():
        sys.exit(f"{RUNTIME} is missing: `make bench` installs the runtime dependencies there")
    samples, first_use, heavy = measure()
    floor, validation = (median(samples.pop(name)) for name in FLOORS)
    rows: list[list[str]] = [
        ["floor: boto3 + Powertools REST resolver", f"{floor:.0f}", "", "1.00", "", "", "", ""],
        [
            "floor + validation (pydantic, OpenAPI params)",
            f"{validation:.0f}",
            "",
            f"{validation / floor:.2f}",
            "",
            "1.00",
            "",
            "",
        ],
    ]
    for function_id, times in samples.items():
        ratio = median(times) / floor
        goal = "yes" if ratio <= GOAL else "no"
        loads = ", ".join(f"{p} {ms:.0f}" for p, ms in heavy[function_id]) or "-"
        rows.append(
            [
                function_id,
                f"{median(times):.0f}",
                spread(times),
                f"{ratio:.2f}",
                goal,
                f"{median(times) / validation:.2f}",
                f"{median(first_use[function_id]):.0f}",
                loads,
            ]
        )
    print(f"handler import in a fresh interpreter, median of {ROUNDS} rounds, {_interpreter()}")
    header = ["function", "import ms", "IQR ms", "x floor", f"<= {GOAL}x", "x validation floor"]
    header += ["services ms", f"loads beyond the validation floor (ms, >= {HEAVY_MS:.0f})"]
    print_table(header, rows)


if __name__ == "__main__":
    main()
