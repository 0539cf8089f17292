"""docs/security-properties.md maps every property of SECURITY.md to the test files that show it (tests name
the properties they show in their docstrings), and lists properties with no test as gaps.

`python -m tests.unit.test_security_table` prints the table as it should be.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "security-properties.md"
PROPERTIES = 30
_NAMED = re.compile(r"SECURITY\.md ((?:\d+)(?:(?:, | and )\d+)*)")


def shown_by() -> dict[int, list[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for numbers in _NAMED.findall(path.read_text()):
            for number in re.findall(r"\d+", numbers):
                found[int(number)].add(str(path.relative_to(ROOT)))
    return {number: sorted(found.get(number, ())) for number in range(1, PROPERTIES + 1)}


def rows() -> list[str]:
    lines = ["| property | shown by |", "|---|---|"]
    for number, files in shown_by().items():
        lines.append(f"| {number} | {', '.join(f'`{f}`' for f in files) if files else '**gap: no test**'} |")
    return lines


def test_the_docs_table_maps_every_property_to_the_tests_that_name_it():
    table = [line for line in TABLE.read_text().splitlines() if line.startswith("|")]

    assert table == rows(), "docs/security-properties.md is stale: python -m tests.unit.test_security_table"


if __name__ == "__main__":
    print("\n".join(rows()))
