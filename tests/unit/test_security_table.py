"""docs/security.md states every numbered security property with the test files that show it (tests name the
properties they show in their docstrings, `SECURITY.md 14`), and marks a property with no test.

`python -m tests.unit.test_security_table` prints the "shown by" column as it should be.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "security.md"
PROPERTIES = 44
NO_TEST = "**no test yet**"
_NAMED = re.compile(r"SECURITY\.md ((?:\d+)(?:(?:, | and |-)\d+)*)")
_ROW = re.compile(r"^\| (\d+) \| .+ \| (.+) \|$")


def _numbers(cited: str) -> list[int]:
    """`5`, `19-21`, `22 and 23` or `3, 4`: the properties a citation names."""
    numbers: list[int] = []
    for part in re.split(r", | and ", cited):
        first, _, last = part.partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


def shown_by() -> dict[int, list[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for cited in _NAMED.findall(path.read_text()):
            for number in _numbers(cited):
                found[number].add(str(path.relative_to(ROOT)))
    return {number: sorted(found.get(number, ())) for number in range(1, PROPERTIES + 1)}


def column(files: list[str]) -> str:
    return ", ".join(f"`{f}`" for f in files) if files else NO_TEST


def test_the_security_page_states_every_property_with_the_tests_that_name_it():
    rows = {int(m[1]): m[2] for line in PAGE.read_text().splitlines() if (m := _ROW.match(line))}

    expected = {number: column(files) for number, files in shown_by().items()}
    assert rows == expected, "docs/security.md is stale: python -m tests.unit.test_security_table"


if __name__ == "__main__":
    for number, files in shown_by().items():
        print(f"{number}: {column(files)}")
