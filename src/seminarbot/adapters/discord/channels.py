"""Channels and threads as the adapter finds them: from discord.py's cache, else from Discord."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

log = logging.getLogger(__name__)
# What a call to Discord raises besides its HTTP errors when the network lets it down.
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


def seminar_channel_id(channel: object) -> int | None:
    """Where a command typed in `channel` belongs, for every command: a thread (a prompt's
    thread, a forum post) belongs to its parent channel or forum's seminar."""
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return channel.parent_id
    found = getattr(channel, "id", None)
    return found if isinstance(found, int) else None


def is_media(channel: object) -> bool:
    """A media channel (type 16): discord.py reads it as a forum, but its posts must carry a
    file, so no prompt can be posted there (Discord's API docs, Channel types)."""
    return isinstance(channel, discord.ForumChannel) and channel.is_media()


async def get_or_fetch(client: discord.Client, channel_id: int) -> object:
    """The channel or thread with this id. Raises discord.HTTPException (NotFound, Forbidden …)
    or one of NETWORK_ERRORS when Discord cannot say."""
    channel = client.get_channel(channel_id)
    if channel is None:
        channel = await client.fetch_channel(channel_id)
    return channel


async def fetch_thread(client: discord.Client, thread_id: int) -> discord.Thread | None:
    channel = await fetch_channel(client, thread_id)
    return channel if isinstance(channel, discord.Thread) else None


async def fetch_channel(client: discord.Client, channel_id: int) -> object | None:
    """The channel or thread from the cache, else from Discord; None if it cannot be read."""
    try:
        return await get_or_fetch(client, channel_id)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("channel or thread %s cannot be read: %s", channel_id, error)
        return None


async def unarchive(thread: discord.Thread | None) -> bool:
    if thread is None:
        return False
    try:
        await thread.edit(archived=False)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("could not un-archive prompt thread %s: %s", thread.id, error)
        return False
    return True
