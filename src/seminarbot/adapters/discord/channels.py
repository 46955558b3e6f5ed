"""Channels and threads as the adapter finds them: from discord.py's cache, else from Discord."""

from __future__ import annotations

import asyncio

import aiohttp
import discord

# What a call to Discord raises besides its HTTP errors when the network lets it down.
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


async def get_or_fetch(client: discord.Client, channel_id: int) -> object:
    """The channel or thread with this id. Raises discord.HTTPException (NotFound, Forbidden …)
    or one of NETWORK_ERRORS when Discord cannot say."""
    channel = client.get_channel(channel_id)
    if channel is None:
        channel = await client.fetch_channel(channel_id)
    return channel
