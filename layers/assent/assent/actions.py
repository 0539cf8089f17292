"""Authorisation actions: a client's named templates (title, message, buttons) that requests render."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assent.clock import Clock, system_clock
from assent.errors import ActionNotFound, InvalidRequest, RenderedTooLong, VariablesRefused
from assent.templates import Rendered, TemplateError, render, unsafe_characters, variables_in

if TYPE_CHECKING:
    from assent.clients import Client
    from assent.repositories.actions import ActionsRepository

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


def check_text(name: str, text: str) -> None:
    """Template text is shown on devices: no controls or direction overrides (SECURITY.md 16)."""
    if unsafe := unsafe_characters(text):
        raise InvalidRequest(f"{name} holds control or direction characters ({', '.join(unsafe)})")


class ActionsService:
    def __init__(self, repository: ActionsRepository, clock: Clock = system_clock) -> None:
        self._repository = repository
        self._clock = clock

    def create(
        self,
        client: Client,
        *,
        code: str,
        title: str,
        message: str,
        approve: str | None,
        deny: str | None,
        number_matching: bool,
    ) -> Action:
        now_ms = int(self._clock() * 1000)
        action = Action(
            client_id=client.client_id,
            code=code,
            id=secrets.token_hex(8),
            title=title,
            message=message,
            approve=approve or DEFAULT_APPROVE,
            deny=deny or DEFAULT_DENY,
            created_ms=now_ms,
            updated_ms=now_ms,
            number_matching=number_matching,
        )
        for name in ("title", "message", "approve", "deny"):
            check_text(name, getattr(action, name))
        self._repository.create(action)
        return action

    def get(self, client: Client, code: str) -> Action:
        action = self._repository.get(client.client_id, code)
        if action is None:
            raise ActionNotFound(f"no action {code}")
        return action

    def list(self, client: Client) -> list[Action]:
        return self._repository.list(client.client_id)

    def update(self, client: Client, code: str, changes: ActionChanges) -> Action:
        for name in ("title", "message", "approve", "deny"):
            if (text := getattr(changes, name)) is not None:
                check_text(name, text)
        if not changes.fields():
            return self.get(client, code)
        updated = self._repository.update(
            client.client_id, code, changes.fields(), updated_ms=int(self._clock() * 1000)
        )
        if updated is None:
            raise ActionNotFound(f"no action {code}")
        return updated

    def delete(self, client: Client, code: str) -> Action:
        """Remove an action; requests already made keep the text they rendered."""
        deleted = self._repository.delete(client.client_id, code)
        if deleted is None:
            raise ActionNotFound(f"no action {code}")
        return replace(deleted, is_active=False)
