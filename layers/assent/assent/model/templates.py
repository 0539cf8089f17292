"""Action templates: `$name` variables in a title or message, checked and rendered in one pass.

`$name` is a variable (`[A-Za-z_][A-Za-z0-9_]*`, the longest such run). A `$` not followed by a name
stays literal, so `$$amount` with `amount=100` renders `$100`. Values are inserted as they are and never
read again, so a value's own `$` sequences are never expanded. Every supplied name must appear and every
name that appears must be supplied (SECURITY.md 16).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assent.model.display_text import UndisplayableText, displayable

NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
MAX_VALUE_CHARS = 100
MAX_VARIABLES = 20


class TemplateError(ValueError):
    """Variables that do not fit the template: `names` lists the offending ones."""

    def __init__(self, message: str, names: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.names = names


def variables_in(*templates: str) -> list[str]:
    """The variable names the templates use, each once, in order of first appearance."""
    seen: dict[str, None] = {}
    for template in templates:
        seen.update((match.group(1), None) for match in NAME.finditer(template))
    return list(seen)


def checked_values(values: Mapping[str, object]) -> dict[str, str]:
    """Variable values as the text they render to, NFC-normalised; refuses non-scalars, overlong values and
    values a device could show as something else (SECURITY.md 37)."""
    if len(values) > MAX_VARIABLES:
        raise TemplateError(f"at most {MAX_VARIABLES} variables")
    texts: dict[str, str] = {}
    for name, value in values.items():
        # bool is an int to Python, but `True` rendered into "Pay True EUR" is a caller's mistake.
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TemplateError(f"variable {name} must be a string or a number", (name,))
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_VALUE_CHARS:
            raise TemplateError(f"variable {name} exceeds {MAX_VALUE_CHARS} characters", (name,))
        try:
            texts[name] = displayable(text)
        except UndisplayableText as error:
            raise TemplateError(f"variable {name} {error}", (name,)) from error
    return texts


@dataclass(frozen=True)
class Rendered:
    title: str
    message: str


def render(title: str, message: str, values: Mapping[str, object]) -> Rendered:
    """Title and message with every variable replaced; missing and unknown names are refused together."""
    texts = checked_values(values)
    used = variables_in(title, message)
    missing = [name for name in used if name not in texts]
    if missing:
        raise TemplateError(f"missing variables: {', '.join(missing)}", tuple(missing))
    unknown = sorted(name for name in texts if name not in used)
    if unknown:
        raise TemplateError(f"unknown variables: {', '.join(unknown)}", tuple(unknown))
    try:
        # Checked again as a whole: a value's first character may combine with the template text before it.
        return Rendered(
            title=displayable(_substitute(title, texts)), message=displayable(_substitute(message, texts))
        )
    except UndisplayableText as error:
        raise TemplateError(f"the rendered text {error}") from error


def _substitute(template: str, texts: Mapping[str, str]) -> str:
    # One pass of re.sub: replacement text is never scanned again.
    return NAME.sub(lambda match: texts[match.group(1)], template)
