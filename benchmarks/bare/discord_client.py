"""A bare discord.py client, the baseline the bot is measured against: a `discord.Client` with
the bot's intents and message cache setting (none), pointed at the same endpoints, counting the
messages it receives. Nothing else.

Prints `ready` from on_ready, then `received N` at every hundredth message. Stops on SIGINT.

Run: python benchmarks/bare/discord_client.py TOKEN API_BASE GATEWAY_URL
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import discord
import discord.gateway
import discord.http
import yarl


class Bare(discord.Client):
    received = 0

    async def on_ready(self) -> None:
        print("ready", flush=True)

    async def on_message(self, message: discord.Message) -> None:
        self.received += 1
        if self.received % 100 == 0:
            print(f"received {self.received}", flush=True)


async def main(token: str, api_base: str, gateway: str) -> None:
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.message_content = True
    async with Bare(intents=intents, max_messages=None) as client:
        await client.start(token)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(*sys.argv[1:4]))
