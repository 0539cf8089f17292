"""A client's authorisation actions (UNLOQ): created, read, listed, changed and deleted."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING

from assent.core.clock import Clock, system_clock
from assent.core.errors import ActionNotFound
from assent.model.actions import (
    DEFAULT_APPROVE,
    DEFAULT_DENY,
    Action,
    ActionChanges,
)

if TYPE_CHECKING:
    from assent.model.clients import Client
    from assent.repositories.actions import ActionsRepository


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
