"""A bare discord.py client, the baseline the bot is measured against: a `discord.Client` with
the bot's intents and message cache setting (none), pointed at the same endpoints, counting the
messages it receives. Nothing else.

Given a database path as well, it is the floor of any bot that keeps what it is told: it also
stores each message (its id, author, text and time) in that SQLite file, in WAL mode, one
commit per hundred messages made in the event loop.

Given `--bot-modules` first, it also imports, before it connects, the modules that `seminarbot
run` has loaded when it is ready on Discord (BOT_MODULES; argparse among them), and does nothing
with them: the floor of any bot made of this code, which the bot's own figures cannot go below.

Prints `ready` from on_ready, then `received N` at every hundredth message. Stops on SIGINT.

Run: python benchmarks/bare/discord_client.py [--bot-modules] TOKEN API_BASE GATEWAY_URL [DATABASE]
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import TYPE_CHECKING

import discord
import discord.gateway
import discord.http
import yarl

if TYPE_CHECKING:
    import sqlite3

EVERY = 100  # messages per commit and per `received` line
# These, with what they import, are every module of ours that `run` holds when ready on
# Discord (the two sets were compared once, through sys.modules).
BOT_MODULES = ("seminarbot.cli.main", "seminarbot.cli.run", "seminarbot.cli.logs",
               "seminarbot.cli.malloc", "seminarbot.cli.collector", "seminarbot.cli.heartbeat",
               "seminarbot.app", "seminarbot.services.opening", "seminarbot.storage.migrate",
               "seminarbot.storage.recorded", "seminarbot.scheduling.claimed",
               "seminarbot.syllabus.cache", "seminarbot.adapters.discord.client",
               "seminarbot.adapters.discord.bot", "seminarbot.adapters.discord.backfill")


class Bare(discord.Client):
    received = 0
    database: sqlite3.Connection | None = None
    rows: list[tuple[str, str, str, str]]

    async def on_ready(self) -> None:
        print("ready", flush=True)

    async def on_message(self, message: discord.Message) -> None:
        self.received += 1
        if self.database is not None:
            self.rows.append((str(message.id), str(message.author.id), message.content,
                              message.created_at.isoformat()))
        if self.received % EVERY == 0:
            if self.database is not None:
                with self.database:
                    self.database.executemany("INSERT OR IGNORE INTO messages VALUES (?, ?, ?, ?)",
                                              self.rows)
                self.rows.clear()
            print(f"received {self.received}", flush=True)


def open_database(path: str) -> sqlite3.Connection:
    import sqlite3  # only when storing: the bare client itself loads no SQLite

    database = sqlite3.connect(path)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE IF NOT EXISTS messages"
                     " (id TEXT PRIMARY KEY, author TEXT, body TEXT, at TEXT)")
    return database


async def main(token: str, api_base: str, gateway: str, database: str | None = None) -> None:
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.message_content = True
    async with Bare(intents=intents, max_messages=None) as client:
        client.database = open_database(database) if database else None
        client.rows = []
        await client.start(token)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--bot-modules"]:
        import importlib

        arguments = arguments[1:]
        for name in BOT_MODULES:
            importlib.import_module(name)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(*arguments[:4]))
