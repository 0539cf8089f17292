"""Authorisation actions: a client's named templates (title, message, buttons) and the rules of their text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assent.core.errors import RenderedTooLong, VariablesRefused
from assent.model.templates import Rendered, TemplateError, render, variables_in

# UNLOQ's limits; a rendered title or message must fit them too, because that is what a device shows.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
MAX_TITLE_CHARS = 35
MAX_MESSAGE_CHARS = 100
MAX_BUTTON_CHARS = 10
DEFAULT_APPROVE = "Approve"
DEFAULT_DENY = "Deny"


@dataclass(frozen=True)
class Action:
    client_id: str
    code: str
    id: str
    title: str
    message: str
    approve: str
    deny: str
    created_ms: int
    updated_ms: int
    is_active: bool = True
    number_matching: bool = False

    @property
    def variables(self) -> list[str]:
        return variables_in(self.title, self.message)

    def render(self, values: dict[str, object]) -> Rendered:
        """The text a device shows for these values; refused rather than cut when it exceeds the limits,
        since a cut could drop exactly what the user needs to see (an amount, a payee)."""
        try:
            rendered = render(self.title, self.message, values)
        except TemplateError as error:
            raise VariablesRefused(str(error), error.names) from error
        too_long = [
            f"{part} ({len(text)} > {limit})"
            for part, text, limit in (
                ("title", rendered.title, MAX_TITLE_CHARS),
                ("message", rendered.message, MAX_MESSAGE_CHARS),
            )
            if len(text) > limit
        ]
        if too_long:
            raise RenderedTooLong(f"the rendered {' and '.join(too_long)} exceeds what a device shows")
        return rendered


@dataclass(frozen=True)
class ActionChanges:
    """The fields an update sets; None leaves a field as it is."""

    title: str | None = None
    message: str | None = None
    approve: str | None = None
    deny: str | None = None
    is_active: bool | None = None
    number_matching: bool | None = None

    def fields(self) -> dict[str, object]:
        """The stored attributes this update sets."""
        values = {
            "title": self.title,
            "message": self.message,
            "approve": self.approve,
            "deny": self.deny,
            "is_active": self.is_active,
            "number_matching": self.number_matching,
        }
        return {name: value for name, value in values.items() if value is not None}
