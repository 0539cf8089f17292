"""Runs the benchmarks, each printing its table: `python -m bench [name ...]` (all by default)."""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = ("signatures", "cold_start", "round_trips", "throughput", "sizes")


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in names or BENCHMARKS:
        print(f"\n## {name}\n", flush=True)
        started = time.monotonic()
        importlib.import_module(f"bench.{name}").main()
        print(f"\n({name}: {time.monotonic() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
