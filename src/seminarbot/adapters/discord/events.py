"""Discord messages → seminarbot.services.responses: thread replies and replies to a prompt become
responses; edits and deletions follow them; open sessions' threads are un-archived. What was
missed while disconnected is read back by backfill.py."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

import discord

from seminarbot.adapters.discord.channels import fetch_thread, unarchive
from seminarbot.adapters.discord.client import PLATFORM, STORED
from seminarbot.adapters.discord.formatting import as_shown, unsigned
from seminarbot.core.invocation import Actor
from seminarbot.domain.models import CohortState
from seminarbot.domain.responses import Outcome, with_attachments
from seminarbot.services.container import Services
from seminarbot.services.prompt_threads import is_open_thread
from seminarbot.services.reconcile import channel_deleted, thread_deleted
from seminarbot.services.removal import left_community, left_while_away
from seminarbot.services.responses import (
    InboundMessage,
    record_delete,
    record_edit,
    record_message,
)

log = logging.getLogger(__name__)
PEOPLE_WRITE = (discord.MessageType.default, discord.MessageType.reply)


def _text(message: discord.Message) -> str:
    """The message as stored: its text as shown (formatting.as_shown), then its poll's lines,
    then a line per attached file."""
    return with_attachments(_shown(message), ((a.filename, unsigned(a.url), a.description or "")
                                               for a in message.attachments),
                            _poll(message.poll))


def _shown(message: discord.Message) -> str:
    content = message.content
    if "<" not in content:
        return content
    return as_shown(content, {user.id: user.display_name for user in message.mentions},
                    message.guild)


def _poll(poll: discord.Poll | None) -> tuple[str, list[str]] | None:
    """A poll's question and answers as payloads.py reads them from a payload: an answer
    without text is its emoji's name. discord.py's `question` raises AttributeError for a
    question without text (its media then is None)."""
    if poll is None:
        return None
    try:
        question = poll.question or ""
    except AttributeError:
        question = ""
    return question, [a.text or getattr(a.emoji, "name", None) or "" for a in poll.answers]


def inbound(message: discord.Message) -> InboundMessage | None:
    """A participant's message that may answer a prompt: in a thread, or a reply."""
    if getattr(message, "author", None) is None:  # discord.py sets none for a payload without
        log.warning("Discord sent a message with no author (%s); skipped", message.id)
        return None
    if message.author.bot or message.webhook_id or message.guild is None:
        return None
    if message.type not in PEOPLE_WRITE:
        return None
    channel_id = id_text(message.channel.id)
    # A channel discord.py does not hold (PartialMessageable: its cache of threads lost to a
    # GUILD_CREATE or THREAD_LIST_SYNC that listed none) may be a prompt's thread: the
    # responses service knows, and drops a message in any other channel.
    thread_id = (channel_id if isinstance(message.channel, discord.Thread
                                          | discord.PartialMessageable) else None)
    reference = message.reference
    reply_to = str(reference.message_id) if reference and reference.message_id else None
    if thread_id is None and reply_to is None:
        return None
    author = actor(message.author.id, message.author.display_name)
    # A message read from history or fetched (not from the gateway) has a User as its author,
    # without the server's member: the name is their global one, not the one they have here.
    return InboundMessage(PLATFORM, str(message.id), author, _text(message), message.created_at,
                          thread_id=thread_id, reply_to=reply_to, channel_id=channel_id,
                          edited_at=message.edited_at,
                          named_here=isinstance(message.author, discord.Member))


@functools.lru_cache(maxsize=1024)
def id_text(channel_id: int) -> str:
    """A channel's or thread's id as text, one string per channel: a burst's messages waiting
    in the queue share their channel's (about 70 bytes each)."""
    return str(channel_id)


@functools.lru_cache(maxsize=1024)
def actor(user_id: int, display_name: str) -> Actor:
    """The author of a message, one object per person and name: a burst's messages waiting in
    the queue share their authors' (about 0.2 KB each, with the id's and name's strings)."""
    return Actor(PLATFORM, str(user_id), display_name)


class Edit(NamedTuple):
    """An edit as it arrived, read before it waits in the queue behind earlier events."""

    message_id: str
    author_id: str
    text: str
    at: datetime | None
    # The whole message, should its creation have been missed.
    message: InboundMessage | None


# What discord.py's Message raises reading a payload that left a field out (Discord's Gateway
# Events docs: an update "may contain only a subset of the full message object payload").
UNREADABLE = (AttributeError, KeyError, TypeError, ValueError)


def edit_of(event: discord.RawMessageUpdateEvent) -> Edit | None:
    """The edit an update makes of the words, if it carries them whole (its content and its
    files: one without either is read again, `to_read_again`). Raises what discord.py's
    Message raises for a field the payload left out (helper-187's 3: `mentions`)."""
    data: Mapping[str, Any] = event.data
    if not data.keys() >= STORED:  # an embed unfurled, a pin, or only part of the words
        return None
    message = event.message
    if message.author.bot:
        return None
    return Edit(str(message.id), str(message.author.id), _text(message), message.edited_at,
                inbound(message))


def to_read_again(event: discord.RawMessageUpdateEvent) -> bool:
    """Whether an update edits the stored words without carrying them all (a file removed:
    `attachments` without `content`, or `content` without `attachments`, which Discord's
    Gateway Events docs allow), so the message is read again from Discord (helper-185's 4:
    the file's line stayed in every export; helper-187's 4: it was dropped)."""
    data: Mapping[str, Any] = event.data  # discord.py types it whole: Discord sends less
    return not data.keys() >= STORED and not STORED.isdisjoint(data)


async def on_edit(app: Services, edit: Edit) -> Outcome | None:
    # No edited_timestamp: Discord shows it never edited (a pin, say), its text the first.
    outcome = Outcome.UNKNOWN if edit.at is None else await record_edit(
        app, PLATFORM, edit.message_id, edit.text, edit.at, by=edit.author_id)
    if outcome is Outcome.UNKNOWN and edit.message is not None:
        return await record_message(app, edit.message)  # its creation was missed: record it
    return outcome


async def on_delete(app: Services, message_ids: set[int]) -> None:
    for message_id in sorted(message_ids):
        await record_delete(app, PLATFORM, str(message_id), app.clock.now())


async def on_thread_delete(app: Services, thread_id: int) -> None:
    """A thread was deleted, and every message in it: a prompt's responses written there are
    erased (THREAD_DELETE)."""
    erased = await thread_deleted(app, PLATFORM, str(thread_id))
    if erased:
        log.info("prompt thread %s was deleted: %d responses erased", thread_id, erased)


async def on_channel_delete(app: Services, channel_id: int) -> None:
    """A seminar's channel was deleted, with its threads and their messages: the responses
    written there are erased (CHANNEL_DELETE)."""
    erased = await channel_deleted(app, PLATFORM, str(channel_id))
    if erased:
        log.info("channel %s was deleted: %d responses erased", channel_id, erased)


async def on_guild_remove(app: Services, guild_id: int) -> None:
    """The bot was removed from a server (kicked, banned, or the server deleted: GUILD_DELETE
    without `unavailable`, Gateway docs): its seminars there are paused, as nothing can be
    posted until a moderator adds the bot back and resumes them."""
    await left_community(app, PLATFORM, str(guild_id))


async def on_servers_known(app: Services, client: discord.Client) -> None:
    """READY, which lists every server the bot is in and, for each available one, its
    channels: the seminars of a server the bot was removed from while away (no GUILD_DELETE
    reached it) are paused, as `on_guild_remove` pauses them; those whose channel the server
    no longer has (deleted while the bot was away, before any prompt's thread could show it:
    helper-187's 2) are finished, as CHANNEL_DELETE finishes them."""
    servers = {str(guild.id): guild for guild in client.guilds}
    cohorts = [cohort for cohort in await app.cohorts.all() if cohort.platform == PLATFORM]
    await left_while_away(app, PLATFORM, set(servers), cohorts)
    for cohort in cohorts:
        guild = servers.get(cohort.community_external_id)
        if cohort.state is not CohortState.FINISHED and guild is not None \
                and not guild.unavailable \
                and cohort.channel_id.isdigit() and guild.get_channel(int(cohort.channel_id)) \
                is None:
            await on_channel_delete(app, int(cohort.channel_id))


async def on_thread_update(app: Services, client: discord.Client,
                           event: discord.RawThreadUpdateEvent) -> bool:
    """Un-archive the thread of a session still open. True if it did."""
    metadata = event.data.get("thread_metadata", {})
    if not metadata.get("archived") or metadata.get("locked"):
        return False  # a locked thread is a moderator's decision
    if not await is_open_thread(app, PLATFORM, str(event.thread_id)):
        return False
    return await unarchive(event.thread or await fetch_thread(client, event.thread_id))
