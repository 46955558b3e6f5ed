"""`seminarbot discord sync`, which the Discord adapter adds to the command line. Loads
discord.py only when it runs, so `seminarbot --help` stays light."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from seminarbot.adapters.discord.settings import is_snowflake
from seminarbot.core.redaction import quoted

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

SYNC_LIMIT = 60.0  # seconds for Discord to answer the sync (aiohttp's own limit is 300)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    discord = commands.add_parser("discord", help="Discord: sync the slash commands")
    actions = discord.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    sync = actions.add_parser(
        "sync", help="register the slash commands: in one server (instant) or globally")
    where = sync.add_mutually_exclusive_group()
    where.add_argument("--guild", metavar="ID", type=_server_id,
                       help="sync to this server only (default: discord.test_guild if set)")
    where.add_argument("--global", dest="everywhere", action="store_true",
                       help="sync globally even if discord.test_guild is set")


def _server_id(text: str) -> str:
    """--guild, before anything asks Discord: a snowflake (API docs, Snowflakes)."""
    if not is_snowflake(text):
        raise argparse.ArgumentTypeError(
            "expects a server's id, a number such as 123456789012345678 (got "
            f"{quoted(text, 40)})")
    return text


async def main(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.config.settings import CommandFailed, SettingRefused

    if settings.discord.incomplete:  # as `run` refuses it, before the token is sent
        raise SettingRefused(settings.discord.incomplete)
    if not settings.discord.configured:
        raise SettingRefused("set DISCORD_TOKEN (or discord.token) to sync commands")
    import discord

    from seminarbot.adapters.discord.connecting import TOKEN_REFUSED
    from seminarbot.adapters.discord.sync import sync_commands
    from seminarbot.adapters.http_answers import retried
    from seminarbot.services.connections import NoAnswer, answered

    guild = None if args.everywhere else (args.guild or settings.discord.test_guild)
    try:
        synced = await answered(sync_commands(settings, guild), SYNC_LIMIT, "Discord")
    except NoAnswer as error:
        raise CommandFailed(f"sync failed: {error} ({settings.discord.api_base})") from None
    except SettingRefused:
        raise
    except discord.LoginFailure:  # as `run` says it, a configuration error (exit 2)
        raise SettingRefused(TOKEN_REFUSED) from None
    except Exception as error:  # the HTTP error from Discord, said plainly (and, as every
        # line the boundary says, redacted: Discord's message may quote the token)
        raise CommandFailed(f"sync failed: {retried(error, settings.discord.api_base)}"
                            ) from None
    where = f"to server {synced.guild_id}" if synced.guild_id else "globally"
    print(f"synced {len(synced.names)} commands {where}: "
          + ", ".join("/" + name for name in synced.names))
    return 0

