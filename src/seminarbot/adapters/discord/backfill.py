"""What was missed while disconnected, read back from Discord's history.

After every (re)connect, each prompt thread of a running seminar is read from the last message
recorded in it, and each seminar channel back to its oldest running prompt (replies made to a
prompt in the channel itself). After a new gateway session (READY: Discord replays nothing),
the threads of each cohort's current session are instead read from their start and set
against what was recorded (services/reconcile.py): messages edited meanwhile (a newer
`edited_timestamp`) are updated, and recorded ones no longer there are erased as deleted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import discord

from seminarbot.adapters.discord.channels import (
    NETWORK_ERRORS,
    fetch_channel,
    fetch_thread,
    unarchive,
)
from seminarbot.adapters.discord.events import PLATFORM, inbound
from seminarbot.domain.responses import Outcome
from seminarbot.services.container import Services
from seminarbot.services.prompt_threads import PromptThread, prompt_threads
from seminarbot.services.reconcile import Current, ThreadState
from seminarbot.services.responses import InboundMessage, last_recorded, record_message

log = logging.getLogger(__name__)
BACKFILL_RUN = 500  # messages read from a thread's history, then handed over together
CHANNEL_PAGES = 20  # of 100 messages: how far back a seminar channel is read after a restart
UNKNOWN_MESSAGE = 10008  # Discord's error code: the message does not exist (any more)

Handle = Callable[[list[discord.Message]], Awaitable[None]]


async def read_history(channel: discord.Thread | discord.TextChannel, after: int,
                       handle: Handle, *, run: int = BACKFILL_RUN) -> bool:
    """Hand over the channel's messages after message `after`, oldest first, `run` at a time
    (discord.py reads them 100 per request). True if it read to the end; False if Discord or
    the network stopped it, once what was read before has been handed over."""
    found: list[discord.Message] = []
    complete = True
    try:
        async for message in channel.history(limit=None, after=discord.Object(after),
                                             oldest_first=True):
            found.append(message)
            if len(found) == run:
                await handle(found)
                found = []
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("reading the history of %s stopped: %s", channel.id, error)
        complete = False
    if found:
        await handle(found)
    return complete


async def catch_up(app: Services, client: discord.Client, *, reconcile: bool) -> int:
    """Read back what was written while disconnected; with `reconcile` (after READY), also
    edits and deletions in the current sessions' threads. Returns how many were new."""
    recorded = 0
    by_channel: dict[str, list[PromptThread]] = {}
    for prompt in await prompt_threads(app, PLATFORM):
        if reconcile and prompt.open:
            recorded += await _reconcile_thread(app, client, prompt)
        else:
            recorded += await _backfill_thread(app, client, prompt)
        by_channel.setdefault(prompt.channel_id, []).append(prompt)
    for channel_id, posted in by_channel.items():
        recorded += await _backfill_channel(app, client, int(channel_id), posted)
    return recorded


async def _thread_of(client: discord.Client, prompt: PromptThread) -> discord.Thread | None:
    thread = await fetch_thread(client, int(prompt.thread_id))
    if thread is not None and prompt.open and thread.archived and not thread.locked:
        await unarchive(thread)
    return thread


async def _backfill_thread(app: Services, client: discord.Client, prompt: PromptThread) -> int:
    thread = await _thread_of(client, prompt)
    if thread is None:
        return 0
    after = await last_recorded(app, PLATFORM, prompt.thread_id) or prompt.message_id
    recorded = 0

    async def record(messages: list[discord.Message]) -> None:
        nonlocal recorded
        recorded += await _record_together(
            app, [reply for reply in map(inbound, messages) if reply is not None])

    await read_history(thread, int(after), record)
    return recorded


def _current(messages: Sequence[discord.Message]) -> list[Current]:
    return [Current(reply, message.edited_at) for message in messages
            if (reply := inbound(message)) is not None]


async def _reconcile_thread(app: Services, client: discord.Client, prompt: PromptThread) -> int:
    thread = await _thread_of(client, prompt)
    if thread is None:
        return 0
    state = await ThreadState.load(app, PLATFORM, prompt.thread_id)

    async def compare(messages: list[discord.Message]) -> None:
        await state.current(app, _current(messages))

    if await read_history(thread, int(prompt.message_id), compare):
        await _look_up_missing(app, client, prompt, state)  # only after a complete read
    changes = state.changes
    if changes.edited or changes.deleted:
        log.info("prompt thread %s: %d edits and %d deletions made while disconnected",
                 prompt.thread_id, changes.edited, changes.deleted)
    return changes.created


async def _look_up_missing(app: Services, client: discord.Client, prompt: PromptThread,
                           state: ThreadState) -> None:
    """Recorded responses the thread no longer has: replies to the prompt made in the channel
    (read one by one, for their edits), or deleted (Discord answers Unknown Message)."""
    missing = state.missing()
    if not missing:
        return
    channel = await fetch_channel(client, int(prompt.channel_id))
    if not isinstance(channel, discord.TextChannel):
        return
    gone = []
    for message_id in missing:
        try:
            message = await channel.fetch_message(int(message_id))
        except discord.NotFound as error:
            if error.code == UNKNOWN_MESSAGE:
                gone.append(message_id)
            continue
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("could not look up message %s: %s", message_id, error)
            continue
        await state.current(app, _current([message]))
    await state.deleted(app, PLATFORM, gone)


async def _backfill_channel(app: Services, client: discord.Client, channel_id: int,
                            prompts: list[PromptThread]) -> int:
    """Replies to the prompt messages made in the channel itself. Thread messages and replies
    share one "last recorded" mark, so that cannot tell where the channel was left: the
    channel is read back from the newest message to its oldest prompt still running, at most
    CHANNEL_PAGES pages, and what was recorded already is recognised as such."""
    channel = await fetch_channel(client, channel_id)
    if not isinstance(channel, discord.TextChannel):
        return 0
    ours = {prompt.message_id for prompt in prompts}
    oldest = min(int(message_id) for message_id in ours)
    found: list[InboundMessage] = []
    try:
        async for message in channel.history(limit=CHANNEL_PAGES * 100, oldest_first=False,
                                             after=discord.Object(oldest)):
            reply = inbound(message)
            if reply is not None and reply.reply_to in ours:
                found.append(reply)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("backfill of channel %s stopped: %s", channel_id, error)
    return await _record_together(app, found)


async def _record_together(app: Services, replies: list[InboundMessage]) -> int:
    """Handed over at once, so they share commits; how many were new."""
    outcomes = await asyncio.gather(*(record_message(app, reply) for reply in replies))
    return outcomes.count(Outcome.CREATED)
