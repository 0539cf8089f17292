"""Medians, spreads and plain-text tables for the benchmarks' output."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def spread(samples: Sequence[float]) -> str:
    """The interquartile range, as `q1-q3`."""
    if len(samples) < 2:
        return "-"
    q1, _, q3 = statistics.quantiles(samples, n=4)
    return f"{q1:.1f}-{q3:.1f}"


def percentile(samples: Sequence[float], p: int) -> float:
    """The p-th percentile (1..99), interpolated."""
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table, so docs/benchmarks.md shows it as printed."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(lines), flush=True)
