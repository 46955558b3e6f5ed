"""After a gap a platform cannot replay (a new Discord gateway session), the messages of a
prompt's thread as the platform shows them now, set against what was recorded: a message not
recorded is new, one whose edit time is newer than ours was edited, and a recorded one that is
no longer there was deleted. Adapters read the platform's history and hand it over here; the
writes go through the one write path (services/responses.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.domain.responses import Outcome
from seminarbot.services.responses import (
    InboundMessage,
    record_delete,
    record_edit,
    record_message,
)

if TYPE_CHECKING:
    from seminarbot.services.container import Services


@dataclass(frozen=True)
class Current:
    """A message as the platform shows it now: its text, and when it was last edited."""

    message: InboundMessage
    edited_at: datetime | None


@dataclass
class Changes:
    """What one reconciliation recorded."""

    created: int = 0
    edited: int = 0
    deleted: int = 0


class ThreadState:
    """The live responses recorded in one prompt's thread (or as replies to its post), by
    message id, with when each was last edited (None: never); and the ids the platform was seen
    to have."""

    def __init__(self, recorded: dict[str, datetime | None]) -> None:
        self.recorded = recorded
        self.seen: set[str] = set()
        self.changes = Changes()

    @classmethod
    async def load(cls, app: Services, platform: str, thread_id: str) -> ThreadState:
        rows = await app.responses.in_thread(platform, thread_id)
        return cls({row.message_id: row.edited_at for row in rows})

    async def current(self, app: Services, messages: Sequence[Current]) -> None:
        """A page of the platform's history: new messages are recorded together (they share
        commits), then edits newer than what was recorded are applied."""
        self.seen.update(item.message.message_id for item in messages)
        new = [item.message for item in messages
               if item.message.message_id not in self.recorded]
        outcomes = await asyncio.gather(*(record_message(app, message) for message in new))
        self.changes.created += outcomes.count(Outcome.CREATED)
        for item in messages:
            message = item.message
            if message.message_id not in self.recorded or item.edited_at is None:
                continue
            ours = self.recorded[message.message_id]
            if ours is not None and item.edited_at.replace(microsecond=0) <= ours:
                continue  # stored times have whole seconds; an equal text changes nothing

            outcome = await record_edit(app, message.platform, message.message_id, message.text,
                                        item.edited_at, by=message.author.user_id)
            self.changes.edited += outcome is Outcome.UPDATED

    def missing(self) -> list[str]:
        """Recorded, and not among the messages seen: deleted, or elsewhere (a reply to the
        prompt made in the channel rather than its thread)."""
        return [message_id for message_id in self.recorded if message_id not in self.seen]

    async def deleted(self, app: Services, platform: str, message_ids: Iterable[str]) -> None:
        """Messages the platform says are gone: erased like any deletion."""
        for message_id in message_ids:
            outcome = await record_delete(app, platform, message_id, app.clock.now())
            self.changes.deleted += outcome is Outcome.DELETED
