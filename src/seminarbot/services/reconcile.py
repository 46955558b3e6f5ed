"""After a gap a platform cannot replay (a new Discord gateway session), the messages of a
prompt's thread as the platform shows them now, set against what was recorded: a message not
recorded is new, an edited one may have been edited since (the edit times and the texts
decide; one edited at the very instant of the version recorded is that version), and a
recorded one that is no longer there was deleted. Adapters read the platform's
history and hand it over here; the writes go through the one write path (services/responses.py).

Only platform messages are set against the history, each where it was written: a message in
the thread is deleted when a complete read of the thread no longer has it; a reply to the
prompt in the channel is looked up there. A `/seminar respond` answer has no message of its
own and is never touched. A response recorded before responses kept how they arrived
(migration 0009) is erased only when the platform shows it was a deleted message; seen in the
thread or found in the channel, it learns how it arrived.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from seminarbot.clock import exact, to_iso
from seminarbot.domain.responses import Arrival, Outcome
from seminarbot.services.prompt_threads import prompt_threads
from seminarbot.services.responses import (
    InboundMessage,
    record_delete,
    record_edit,
    record_messages,
)
from seminarbot.storage.responses import Recorded

if TYPE_CHECKING:
    from seminarbot.services.container import Services


class Current(NamedTuple):
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
    """The live responses recorded for one prompt (in its thread, as replies to its post, by
    command), by message id; and those the platform has not shown in the thread (yet)."""

    def __init__(self, recorded: Iterable[Recorded]) -> None:
        self.recorded = {row.message_id: row for row in recorded}
        # The recorded ids the platform has not shown (yet): it shares their strings, where a
        # set of the ids seen held a copy of each (a thread of thousands is read at a start).
        self.unseen = set(self.recorded)
        self.changes = Changes()

    @classmethod
    async def load(cls, app: Services, platform: str, thread_id: str) -> ThreadState:
        return cls(await app.responses.in_thread(platform, thread_id))

    def seen(self, message_id: str) -> None:
        """A recorded message the platform shows, though in a form the adapter cannot read:
        it is there, so not deleted (helper-134: an edited one was erased)."""
        self.unseen.discard(message_id)

    def seen_unedited(self, message_id: str, edited: bool) -> bool:
        """A message the platform shows that is recorded here and was never edited there is
        only seen: `current` would neither record nor compare it, so the adapter need not
        build it (a restart reads every recorded message again). True if it was such."""
        if edited or message_id not in self.recorded:
            return False
        self.unseen.discard(message_id)
        return True

    async def current(self, app: Services, messages: Sequence[Current]) -> None:
        """A page of the platform's history: new messages are recorded together (they share
        commits), then the edits are handed over (the write path keeps the latest)."""
        self.unseen.difference_update(item.message.message_id for item in messages)
        new = [item.message for item in messages
               if item.message.message_id not in self.recorded]
        outcomes = await record_messages(app, new)
        self.changes.created += outcomes.count(Outcome.CREATED)
        for item in messages:
            ours = self.recorded.get(item.message.message_id)
            if ours is None or item.edited_at is None or ours.arrival is Arrival.COMMAND \
                    or ours.edited_exact in (exact(item.edited_at), to_iso(item.edited_at)):
                # The very edit of the version recorded: its text read again may differ only
                # in what is read anew (a mention's name now), which no one wrote (helper-134);
                # recorded before migration 0016, it is known to the second (helper-136).
                continue
            # An edit older than ours changes nothing (storage/responses.py: the latest wins).
            message = item.message
            outcome = await record_edit(app, message.platform, message.message_id, message.text,
                                        item.edited_at, by=message.author.user_id)
            self.changes.edited += outcome is Outcome.UPDATED
            self.changes.deleted += outcome is Outcome.DELETED  # edited down to nothing

    async def seen_in_thread(self, app: Services, platform: str) -> None:
        """Responses of unknown arrival whose message the thread showed: thread messages."""
        unknown = [message_id for message_id, row in self.recorded.items()
                   if row.arrival is None and message_id not in self.unseen]
        if unknown:
            await app.responses.classify(platform, unknown, Arrival.THREAD)

    def missing(self, arrival: Arrival | None) -> list[str]:
        """Recorded as arriving this way, and not among the messages seen in the thread."""
        return [message_id for message_id, row in self.recorded.items()
                if row.arrival is arrival and message_id in self.unseen]

    async def deleted(self, app: Services, platform: str, message_ids: Iterable[str]) -> None:
        """Messages the platform shows are gone: erased like any deletion."""
        for message_id in message_ids:
            outcome = await record_delete(app, platform, message_id, app.clock.now())
            self.changes.deleted += outcome is Outcome.DELETED


async def thread_deleted(app: Services, platform: str, thread_id: str, *,
                         with_channel: bool = False) -> int:
    """The platform deleted a prompt's thread, and every message in it: the responses written
    there are erased like any deletion; with `with_channel` (its channel was deleted too) the
    replies to the prompt made in the channel as well. Commands stay, and so do responses of
    unknown arrival, which may have been either. How many were erased."""
    state = await ThreadState.load(app, platform, thread_id)
    await state.deleted(app, platform, state.missing(Arrival.THREAD))
    if with_channel:
        await state.deleted(app, platform, state.missing(Arrival.REPLY))
    return state.changes.deleted


async def channel_deleted(app: Services, platform: str, channel_id: str) -> int:
    """The platform deleted a seminar's channel, its threads and every message in them: the
    responses written there are erased (`thread_deleted`), then its cohorts are finished
    (services.removal.channel_gone: helper-185's 1, a seminar whose channel was gone went on
    posting into nothing, its events listed). How many responses were erased."""
    from seminarbot.services.removal import channel_gone

    erased = 0
    for prompt in await prompt_threads(app, platform):
        if prompt.channel_id == channel_id:
            erased += await thread_deleted(app, platform, prompt.thread_id, with_channel=True)
    await channel_gone(app, platform, channel_id)
    return erased
