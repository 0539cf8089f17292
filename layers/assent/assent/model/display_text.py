"""Text a person is shown, on a device or in a mail, displays as exactly its characters (SECURITY.md 37).

Refused, because they hide, reorder or restyle what is around them, or show differently from one device to
the next: format characters (Cf: direction controls, zero-width characters, the word joiner, the BOM, tag
characters), private-use (Co), unassigned (Cn, in the runtime's Unicode version) and surrogate (Cs) code
points, line and paragraph separators (Zl, Zp), controls (Cc; multi-line text may keep "\\n" and "\\t"),
variation selectors, and combining marks with no base character or more than MAX_MARKS on one.

Accepted text is NFC-normalised, so what is stored, signed and shown is one sequence of code points
however the sender composed it.
"""

from __future__ import annotations

import unicodedata
from functools import partial
from typing import Annotated

from pydantic import AfterValidator

MAX_MARKS = 2
LINE_BREAKS = frozenset("\n\t")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
# Their category is Mn, but they choose a glyph's look (emoji or text, a Mongolian letter form) rather
# than add a mark: two strings that differ only in them look alike, or not, depending on the font.
_VARIATION_SELECTORS = (
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
)


class UndisplayableText(ValueError):
    """Text a device could show as something other than its characters."""


def refusals(text: str, *, line_breaks: bool = False) -> list[str]:
    """Why `text` cannot be shown as it is: each offending code point once, in order (empty: it can be)."""
    found: dict[str, None] = {}
    marks = 0
    base: str | None = None
    for char in text:
        category = unicodedata.category(char)
        if _is_variation_selector(char):
            found[f"{_code_point(char)} (a variation selector)"] = None
        elif category in _REFUSED_CATEGORIES and not (line_breaks and char in LINE_BREAKS):
            found[f"{_code_point(char)} ({category})"] = None
        elif category.startswith("M"):
            marks += 1
            if base is None:
                found[f"{_code_point(char)} (a combining mark with no base character)"] = None
            elif marks > MAX_MARKS:
                found[f"more than {MAX_MARKS} combining marks on {_code_point(base)}"] = None
            continue
        base = None if char in LINE_BREAKS else char
        marks = 0
    return list(found)


def displayable(text: str, *, line_breaks: bool = False) -> str:
    """`text`, NFC-normalised, if it displays as exactly its characters; else UndisplayableText."""
    normalised = unicodedata.normalize("NFC", text)
    if found := refusals(normalised, line_breaks=line_breaks):
        raise UndisplayableText(f"holds what a device may not show as written: {', '.join(found[:5])}")
    return normalised


def _is_variation_selector(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _VARIATION_SELECTORS)


def _code_point(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


# Body fields a person is shown: refused with 400 in the family's envelope, stored normalised.
DisplayText = Annotated[str, AfterValidator(displayable)]
DisplayLines = Annotated[str, AfterValidator(partial(displayable, line_breaks=True))]
