"""Point discord.py at the configured REST base and gateway (Discord's own by default, or a
Discord-compatible server, or the tests' loopback fake).

discord.py keeps both as class attributes, so this is process-wide; one process talks to one
Discord.
"""

from __future__ import annotations

import discord
import discord.gateway
import discord.http
import yarl

from seminarbot.adapters.discord.settings import DiscordSettings


def use_endpoints(settings: DiscordSettings) -> None:
    discord.http.Route.BASE = settings.api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def quiet_voice() -> None:
    """The bot never joins voice: discord.py need not warn that voice libraries are missing."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
