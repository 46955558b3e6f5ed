"""Discord messages → seminarbot.services.responses: thread replies and replies to a prompt become
responses; edits and deletions follow them; after a (re)connect, threads are backfilled from
the last message recorded and channels from their oldest running prompt, and open sessions'
threads are un-archived."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS, get_or_fetch
from seminarbot.core.invocation import Actor
from seminarbot.domain.responses import Outcome
from seminarbot.services.container import Services
from seminarbot.services.prompt_threads import PromptThread, is_open_thread, prompt_threads
from seminarbot.services.responses import (
    InboundMessage,
    last_recorded,
    record_delete,
    record_edit,
    record_message,
)

log = logging.getLogger(__name__)
PLATFORM = "discord"
PEOPLE_WRITE = (discord.MessageType.default, discord.MessageType.reply)
BACKFILL_RUN = 500  # messages read from a thread's history, then recorded together
CHANNEL_PAGES = 20  # of 100 messages: how far back a seminar channel is read after a restart


def _text(message: discord.Message) -> str:
    """The message as stored: its text, then a line per attached file."""
    lines = [message.content] if message.content else []
    lines += [f"[attachment: {a.filename} {a.url}]" for a in message.attachments]
    return "\n".join(lines)


def inbound(message: discord.Message) -> InboundMessage | None:
    """A participant's message that may answer a prompt: in a thread, or a reply."""
    if message.author.bot or message.webhook_id or message.guild is None:
        return None
    if message.type not in PEOPLE_WRITE:
        return None
    thread_id = str(message.channel.id) if isinstance(message.channel, discord.Thread) else None
    reference = message.reference
    reply_to = str(reference.message_id) if reference and reference.message_id else None
    if thread_id is None and reply_to is None:
        return None
    author = Actor(PLATFORM, str(message.author.id), message.author.display_name)
    return InboundMessage(PLATFORM, str(message.id), author, _text(message), message.created_at,
                          thread_id=thread_id, reply_to=reply_to,
                          channel_id=str(message.channel.id))


@dataclass(frozen=True)
class Edit:
    """An edit as it arrived, read before it waits in the queue behind earlier events."""

    message_id: str
    author_id: str
    text: str
    at: datetime | None
    # The whole message, should its creation have been missed.
    message: InboundMessage | None


def edit_of(event: discord.RawMessageUpdateEvent) -> Edit | None:
    data: Mapping[str, Any] = event.data
    if "content" not in data:  # an embed unfurled, a pin: not an edit of the text
        return None
    message = event.message
    if message.author.bot:
        return None
    return Edit(str(message.id), str(message.author.id), _text(message), message.edited_at,
                inbound(message))


async def on_edit(app: Services, edit: Edit) -> Outcome | None:
    outcome = await record_edit(app, PLATFORM, edit.message_id, edit.text,
                                edit.at or app.clock.now(), by=edit.author_id)
    if outcome is Outcome.UNKNOWN and edit.message is not None:
        return await record_message(app, edit.message)  # its creation was missed: record it
    return outcome


async def on_delete(app: Services, message_ids: set[int]) -> None:
    for message_id in sorted(message_ids):
        await record_delete(app, PLATFORM, str(message_id), app.clock.now())


async def on_thread_update(app: Services, client: discord.Client,
                           event: discord.RawThreadUpdateEvent) -> bool:
    """Un-archive the thread of a session still open. True if it did."""
    metadata = event.data.get("thread_metadata", {})
    if not metadata.get("archived") or metadata.get("locked"):
        return False  # a locked thread is a moderator's decision
    if not await is_open_thread(app, PLATFORM, str(event.thread_id)):
        return False
    return await _unarchive(event.thread or await _fetch_thread(client, event.thread_id))


async def _fetch_thread(client: discord.Client, thread_id: int) -> discord.Thread | None:
    channel = await _fetch_channel(client, thread_id)
    return channel if isinstance(channel, discord.Thread) else None


async def _fetch_channel(client: discord.Client, channel_id: int) -> object | None:
    """The channel or thread from the cache, else from Discord; None if it cannot be read."""
    try:
        return await get_or_fetch(client, channel_id)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("channel or thread %s cannot be read: %s", channel_id, error)
        return None


async def _unarchive(thread: discord.Thread | None) -> bool:
    if thread is None:
        return False
    try:
        await thread.edit(archived=False)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("could not un-archive prompt thread %s: %s", thread.id, error)
        return False
    return True


async def backfill(app: Services, client: discord.Client) -> int:
    """Record what was written in prompt threads since the last message recorded in each,
    and replies to the prompt messages in their channels. Returns how many were new."""
    recorded = 0
    by_channel: dict[str, list[PromptThread]] = {}
    for prompt in await prompt_threads(app, PLATFORM):
        recorded += await _backfill_thread(app, client, prompt)
        by_channel.setdefault(prompt.channel_id, []).append(prompt)
    for channel_id, posted in by_channel.items():
        recorded += await _backfill_channel(app, client, int(channel_id), posted)
    return recorded


async def _backfill_channel(app: Services, client: discord.Client, channel_id: int,
                            prompts: list[PromptThread]) -> int:
    """Replies to the prompt messages made in the channel itself. Thread messages and replies
    share one "last recorded" mark, so that cannot tell where the channel was left: the
    channel is read back from the newest message to its oldest prompt still running, at most
    CHANNEL_PAGES pages, and what was recorded already is recognised as such."""
    channel = await _fetch_channel(client, channel_id)
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


async def _backfill_thread(app: Services, client: discord.Client, prompt: PromptThread) -> int:
    thread = await _fetch_thread(client, int(prompt.thread_id))
    if thread is None:
        return 0
    if prompt.open and thread.archived and not thread.locked:
        await _unarchive(thread)
    after = await last_recorded(app, PLATFORM, prompt.thread_id) or prompt.message_id
    found: list[InboundMessage] = []
    recorded = 0
    try:
        async for message in thread.history(limit=None, after=discord.Object(int(after)),
                                            oldest_first=True):
            if (reply := inbound(message)) is not None:
                found.append(reply)
            if len(found) == BACKFILL_RUN:
                recorded += await _record_together(app, found)
                found = []
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("backfill of prompt thread %s stopped: %s", prompt.thread_id, error)
    return recorded + await _record_together(app, found)  # what was read before an error too


async def _record_together(app: Services, replies: list[InboundMessage]) -> int:
    """Handed over at once, so they share commits; how many were new."""
    outcomes = await asyncio.gather(*(record_message(app, reply) for reply in replies))
    return outcomes.count(Outcome.CREATED)
