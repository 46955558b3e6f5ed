"""`seminarbot discord sync`: replace the application's slash commands with the registry's,
globally or in one server (instant, for development). Never done on start-up."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from seminarbot.adapters.discord.connecting import api_checked
from seminarbot.adapters.discord.endpoints import quiet_voice, use_endpoints
from seminarbot.adapters.discord.settings import DISCORD_API_BASE
from seminarbot.adapters.discord.slash import SlashCommands
from seminarbot.adapters.discord.trace import server_errors_logged
from seminarbot.config.settings import Settings
from seminarbot.core.registry import Registry


@dataclass(frozen=True)
class Synced:
    names: list[str]
    guild_id: str | None


async def sync_commands(settings: Settings, guild_id: str | None,
                        registry: Registry | None = None) -> Synced:
    """Raises SettingRefused for an API base that does not answer as Discord's (as `run`
    does, connecting.api_checked), and what discord.py raises."""
    from seminarbot.features import all_commands

    token = settings.discord.token
    if not token:
        raise ValueError("discord.token (DISCORD_TOKEN) is not set")
    use_endpoints(settings.discord)
    quiet_voice()
    payload = SlashCommands(registry or Registry(all_commands())).payload()
    if settings.discord.api_base != DISCORD_API_BASE:  # a mistyped one gets no token, as at run
        await api_checked(settings.discord.api_base)
    async with discord.Client(intents=discord.Intents(guilds=True),
                              http_trace=server_errors_logged()) as client:  # no redirect
        await client.login(token)
        application_id = client.application_id
        if application_id is None:
            raise ValueError("Discord did not say which application this token belongs to")
        if guild_id:
            result = await client.http.bulk_upsert_guild_commands(application_id, guild_id,
                                                                  payload)
        else:
            result = await client.http.bulk_upsert_global_commands(application_id, payload)
    return Synced([str(command["name"]) for command in result], guild_id)
