"""Runs the benchmarks, each printing its tables: `python -m bench [name ...]` (all by default). A run of all
of them (`make bench`) also writes docs/benchmarks.md from what they printed."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import platform
import sys
import time
from datetime import UTC, datetime

from assent_tools.template import ROOT

BENCHMARKS = ("signatures", "cold_start", "round_trips", "timing", "throughput", "sizes")
PAGE = ROOT / "docs" / "benchmarks.md"

_PREAMBLE = """# Benchmarks

What a request costs, measured: signature checks against the native floor, each function's cold start
against the floor of boto3 and Powertools, AWS calls per endpoint against the fewest that keep its
invariants, flows per second over the local gateway, and the size of the build against Lambda's limits.

**This page is written by `make bench`**, from one run; do not edit it by hand. Each figure is a median,
with its interquartile range where it has one, and a ratio to a floor measured in the same run. Shared
machines wander by ±30 % between runs, and Lambda's arm64 differs again: compare ratios, not milliseconds.
`make bench` takes about six minutes: it runs `sam build`, installs the runtime dependencies alone into
`.bench/runtime` (as the layer holds them), then `python -m bench`; `.venv/bin/python -m bench cold_start`
runs one benchmark and writes nothing.
"""

_NOTES = """## Reading the cold-start table

- *x floor* compares a function's import with boto3 and Powertools' REST resolver alone; *x validation floor*
  with that plus pydantic and Powertools' OpenAPI params, which every function needs to validate requests.
  What remains above the validation floor is Assent's own modules, Powertools' logger and metrics, and a JWT
  library where tokens are verified or minted. Functions that take only API keys load no JWT library, and no
  function loads eth-account (`tests/unit/test_cold_imports.py` checks both).
- *services ms* is what the first request adds: the composition root (`assent/wiring.py`) builds the services
  a handler uses on first use, importing their modules then.
- The goal is at most 1.25x the floor (the *<= 1.25x* column); request validation alone takes most of that.
  The X-Ray SDK, which Powertools' Tracer loads even when tracing is off (about 150 ms), loads only with
  `FunctionTracing=Active`.
- **SnapStart stays off.** It restores a snapshot taken after init, so it saves what init costs, here a few
  hundred milliseconds, about what a restore itself takes; it needs published versions on all functions and is
  charged per restore. Turn it on for one function (`AutoPublishAlias: live`, `SnapStart: {ApplyOn:
  PublishedVersions}`) if measurements in your account say otherwise: nothing made at init must be unique.
"""


class _Tee(io.TextIOBase):
    """Prints as it goes and keeps a copy, so a long run shows progress and the page gets the same text."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self._stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self._stream.write(text)
        self._stream.flush()
        return self.copy.write(text)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo", encoding="utf-8"):  # noqa: SIM115 (read once, closed at exit)
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; choose from {', '.join(BENCHMARKS)}")
    sections: list[str] = []
    for name in names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n## {name}\n", flush=True)
        started = time.monotonic()
        tee = _Tee(sys.stdout)  # type: ignore[arg-type]
        with contextlib.redirect_stdout(tee):
            module.main()
        print(f"\n({name}: {time.monotonic() - started:.0f} s)", flush=True)
        about = (module.__doc__ or "").split("\n\n")[0].replace("\n", " ")
        sections.append(f"## {name}\n\n`bench/{name}.py`: {about}\n\n{tee.copy.getvalue().strip()}\n")
    if not names:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        header = f"{_PREAMBLE}\nThis run: {when}, on {_machine()}.\n"
        PAGE.write_text("\n".join([header, *sections, _NOTES]), encoding="utf-8")
        print(f"\nwrote {PAGE.relative_to(ROOT)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
