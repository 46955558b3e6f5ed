"""What was missed while disconnected, read back from Discord's history.

After a resumed gateway session (RESUMED: Discord replayed the events missed), each prompt
thread of a running seminar is read from the last message recorded in it, and each seminar
channel back to its oldest running prompt (replies made to a prompt in the channel itself).
After a new gateway session (READY: Discord replays nothing), every prompt thread of a running
seminar is instead read from its start and set against what was recorded
(services/reconcile.py): messages edited meanwhile are updated, and recorded ones no longer
there are erased as deleted. A thread or channel Discord no longer has (Unknown Channel) was
deleted with every message in it. Threads are read as Discord's payloads (payloads.py), and a
recorded message shown unedited is only marked seen: a restart re-reads every one.

A read that Discord or the network stops is tried again (capped backoff). After RESUMED the
events behind the catch-up wait for it, so nothing recorded later moves a thread's "last
recorded" mark past what was not read; after READY, which reads from the start and needs no
mark, new messages are stored meanwhile (bot.Handlers). A thread or channel the bot may not
read is left (and logged).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from functools import partial
from typing import TypeVar

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS, get_or_fetch, unarchive
from seminarbot.adapters.discord.client import PLATFORM
from seminarbot.adapters.discord.payloads import (
    Payload,
    edited_at,
    inbound_payload,
    pages_after,
    pages_back_to,
)
from seminarbot.domain.backoff import Backoff
from seminarbot.domain.errors import Damaged
from seminarbot.domain.responses import Arrival, Outcome
from seminarbot.services.container import Services
from seminarbot.services.prompt_threads import PromptThread, prompt_threads
from seminarbot.services.reconcile import Current, ThreadState, channel_deleted, thread_deleted
from seminarbot.services.responses import InboundMessage, last_recorded, record_messages

log = logging.getLogger(__name__)
# Messages read from a thread's history, then handed over together (one commit). What a run
# holds until committed is the catch-up's part of the peak memory: 500 held ~1 MB more than 200
# beside a burst (benchmarks/discord_bench.py), and 200 took ~15% longer to catch up on 10,000.
BACKFILL_RUN = 200
CHANNEL_PAGES = 20  # of 100 messages: how far back a seminar channel is read after a restart
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE = 10003, 10008  # Discord's error codes
RETRY_LIMIT = 60.0  # seconds: the longest wait between two tries of a stopped read

T = TypeVar("T")


class Read(Enum):
    COMPLETE = "complete"
    FAILED = "failed"  # Discord (5xx, rate limits) or the network stopped it: try again
    GONE = "gone"  # Unknown Channel: the thread or channel was deleted
    REFUSED = "refused"  # any other refusal (no access): trying again cannot help


def _why_stopped(error: Exception) -> Read:
    if isinstance(error, discord.NotFound) and error.code == UNKNOWN_CHANNEL:
        return Read.GONE
    if isinstance(error, discord.HTTPException) and error.status < 500 and error.status != 429:
        return Read.REFUSED
    return Read.FAILED


async def read_history(http: discord.http.HTTPClient, channel_id: int, after: int,
                       take: Callable[[list[Payload]], list[T]],
                       handle: Callable[[list[T]], Awaitable[None]], *,
                       run: int = BACKFILL_RUN) -> Read:
    """Hand over what `take` makes of the channel's messages after message `after` (Discord's
    payloads, see payloads.py), oldest first, `run` at a time (read 100 per request). Each page
    is taken before the next is read, so no more than one page's payloads is held. What was
    read before a stop is handed over first; the result says why it stopped."""
    found: list[T] = []
    result = Read.COMPLETE
    try:
        async for page in pages_after(http, channel_id, after):
            found += take(page)
            if len(found) >= run:
                await handle(found)
                found = []
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("reading the history of %s stopped: %s", channel_id, error)
        result = _why_stopped(error)
    if found:
        await handle(found)
    return result


async def catch_up(app: Services, client: discord.Client, *, reconcile: bool,
                   backoff: Backoff | None = None, only: str | None = None) -> int:
    """Read back what was written while disconnected; with `reconcile` (after READY), also
    edits and deletions; with `only`, one prompt post alone (its thread, or its message where
    it has none), and the replies to it in its channel. Reads that stop are tried again until
    they finish. Returns how many responses were new."""
    backoff = backoff or Backoff(first=1.0, limit=RETRY_LIMIT)
    prompts = await prompt_threads(app, PLATFORM, threadless=only is not None)
    replied = [prompt for prompt in prompts if only in (prompt.thread_id, prompt.message_id)] \
        if only is not None else prompts
    threads = [prompt for prompt in replied if prompt.thread_id]
    channels: dict[str, list[PromptThread]] = {}
    for prompt in replied:
        channels.setdefault(prompt.channel_id, []).append(prompt)
    recorded = 0
    while True:
        failed_threads, failed_channels = [], []
        for prompt in threads:
            try:
                new, read = await (_reconcile_thread if reconcile else _backfill_thread)(
                    app, client, prompt)
            except (Damaged, ValueError) as error:  # a damaged row (an id that is none)
                log.warning("catch-up of prompt thread %s left: %s", prompt.thread_id, error)
                new, read = 0, Read.REFUSED  # the other threads' goes on
            recorded += new
            if read is Read.FAILED:
                failed_threads.append(prompt)
        for channel_id in channels:
            new, read = await _backfill_channel(app, client, int(channel_id), channels[channel_id])
            recorded += new
            if read is Read.FAILED:
                failed_channels.append(channel_id)
            elif read is Read.GONE:  # with its threads and every message in them
                await channel_deleted(app, PLATFORM, channel_id)
        if not failed_threads and not failed_channels:
            return recorded
        delay = backoff.next_delay()
        log.warning("catch-up: %d thread(s) and %d channel(s) not read to the end; trying "
                    "again in %g s", len(failed_threads), len(failed_channels), delay)
        await asyncio.sleep(delay)
        threads = failed_threads
        channels = {channel_id: channels[channel_id] for channel_id in failed_channels}


async def _channel(client: discord.Client, channel_id: int) -> object | Read:
    try:
        return await get_or_fetch(client, channel_id)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("channel or thread %s cannot be read: %s", channel_id, error)
        return _why_stopped(error)


async def _thread_of(app: Services, client: discord.Client, prompt: PromptThread
                     ) -> discord.Thread | Read:
    """The prompt's thread, un-archived while its session is open. Deleted (Unknown Channel),
    the responses written in it are erased."""
    thread = await _channel(client, int(prompt.thread_id))
    if thread is Read.GONE:
        erased = await thread_deleted(app, PLATFORM, prompt.thread_id)
        log.info("prompt thread %s was deleted: %d responses erased", prompt.thread_id, erased)
    if isinstance(thread, Read):
        return thread
    if not isinstance(thread, discord.Thread):
        return Read.REFUSED
    if prompt.open and thread.archived and not thread.locked:
        await unarchive(thread)
    return thread


async def _backfill_thread(app: Services, client: discord.Client, prompt: PromptThread
                           ) -> tuple[int, Read]:
    thread = await _thread_of(app, client, prompt)
    if isinstance(thread, Read):
        return 0, thread
    after = await last_recorded(app, PLATFORM, prompt.thread_id) or prompt.message_id
    recorded = 0

    def take(page: list[Payload]) -> list[InboundMessage]:
        return [reply for data in page
                if (reply := inbound_payload(data, thread.id, guild=thread.guild)) is not None]

    async def record(messages: list[InboundMessage]) -> None:
        nonlocal recorded
        recorded += await _record_together(app, messages)

    read = await read_history(client.http, thread.id, int(after), take, record)
    if read is Read.GONE:
        await thread_deleted(app, PLATFORM, prompt.thread_id)
    return recorded, read


def _current_of(state: ThreadState, messages: Sequence[Payload], *, thread_id: int,
                guild: discord.Guild) -> list[Current]:
    current = []
    for data in messages:
        if state.seen_unedited(str(data["id"]), bool(data.get("edited_timestamp"))):
            continue
        reply = inbound_payload(data, thread_id, guild=guild)
        if reply is None:  # unreadable, or no participant's: still there, never "deleted"
            state.seen(str(data["id"]))
        else:
            current.append(Current(reply, edited_at(data)))
    return current


async def _reconcile_thread(app: Services, client: discord.Client, prompt: PromptThread
                            ) -> tuple[int, Read]:
    thread = await _thread_of(app, client, prompt)
    if isinstance(thread, Read):
        return 0, thread
    state = await ThreadState.load(app, PLATFORM, prompt.thread_id)

    async def compare(messages: list[Current]) -> None:
        await state.current(app, messages)

    read = await read_history(client.http, thread.id, int(prompt.message_id),
                              partial(_current_of, state, thread_id=thread.id,
                                      guild=thread.guild), compare)
    if read is Read.COMPLETE:  # only a whole read shows what is no longer there
        await state.seen_in_thread(app, PLATFORM)
        await state.deleted(app, PLATFORM, state.missing(Arrival.THREAD))
        read = await _look_up_missing(app, client, prompt, state)
    elif read is Read.GONE:
        await thread_deleted(app, PLATFORM, prompt.thread_id)
    changes = state.changes
    if changes.edited or changes.deleted:
        log.info("prompt thread %s: %d edits and %d deletions made while disconnected",
                 prompt.thread_id, changes.edited, changes.deleted)
    return changes.created, read


async def _look_up_missing(app: Services, client: discord.Client, prompt: PromptThread,
                           state: ThreadState) -> Read:
    """Replies to the prompt made in the channel, and responses of unknown arrival the
    thread did not show, looked up in the channel one by one: found, their edits count;
    Unknown Message erases a reply, but not a response that may have been a command's."""
    replies = state.missing(Arrival.REPLY)
    unknown = state.missing(None)
    if not replies and not unknown:
        return Read.COMPLETE
    channel = await _channel(client, int(prompt.channel_id))
    if channel is Read.GONE:  # the channel was deleted, and the replies made in it
        await state.deleted(app, PLATFORM, replies)
        return Read.COMPLETE
    if isinstance(channel, Read) or not isinstance(channel, discord.TextChannel):
        return channel if isinstance(channel, Read) else Read.REFUSED
    gone, found = [], []
    for message_id in [*replies, *unknown]:
        try:  # as Discord gives it: a message discord.py cannot read stops nothing
            data = await client.http.get_message(channel.id, int(message_id))
        except discord.NotFound as error:
            if error.code == UNKNOWN_MESSAGE and message_id in replies:
                gone.append(message_id)
            continue
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("could not look up message %s: %s", message_id, error)
            if _why_stopped(error) is Read.FAILED:
                return Read.FAILED
            continue
        found.append(message_id)
        reply = inbound_payload(data, channel.id, in_thread=False, guild=channel.guild)
        await state.current(app, [] if reply is None else [Current(reply, edited_at(data))])
    await app.responses.classify(PLATFORM, [m for m in found if m in unknown], Arrival.REPLY)
    await state.deleted(app, PLATFORM, gone)
    return Read.COMPLETE


async def _backfill_channel(app: Services, client: discord.Client, channel_id: int,
                            prompts: list[PromptThread]) -> tuple[int, Read]:
    """Replies made in the channel itself: to the prompt messages, and to responses (the
    write path tells which answer a prompt). Thread messages and replies do not share one
    "last recorded" mark, so the channel is read back from the newest message to its oldest
    prompt still running, at most CHANNEL_PAGES pages, and what was recorded already is
    recognised as such."""
    channel = await _channel(client, channel_id)
    if isinstance(channel, Read) or not isinstance(channel, discord.TextChannel):
        return 0, channel if isinstance(channel, Read) else Read.REFUSED
    ours = {prompt.message_id for prompt in prompts}
    oldest = min(int(message_id) for message_id in ours)
    found: list[InboundMessage] = []
    read = Read.COMPLETE
    try:  # as Discord gives them: a message discord.py cannot read stops nothing
        async for page in pages_back_to(client.http, channel.id, oldest, CHANNEL_PAGES * 100):
            found += [reply for data in page
                      if (reply := inbound_payload(data, channel.id, in_thread=False,
                                                  guild=channel.guild))
                      is not None and reply.reply_to is not None]
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("backfill of channel %s stopped: %s", channel_id, error)
        read = _why_stopped(error)
    # Oldest first (snowflakes grow with time): a reply to a response answers its prompt
    # (storage/replied.py) once that response is recorded, earlier in the same hand-over.
    found.sort(key=lambda reply: int(reply.message_id))
    return await _record_together(app, found), read


async def _record_together(app: Services, replies: list[InboundMessage]) -> int:
    """Handed over at once, so they share commits; how many were new."""
    outcomes = await record_messages(app, replies)
    return outcomes.count(Outcome.CREATED)
