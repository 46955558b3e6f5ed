"""Discord, through discord.py: slash commands built from the registry, prompts as embeds with
their own threads, thread replies recorded as responses.

`run(opening)` is what `seminarbot run` calls (services.opening); `cli` adds `seminarbot discord
sync`; `settings` declares the `discord:` configuration. This package itself imports nothing of
discord.py, so reading the configuration and `--help` stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.services.opening import Opening


async def run(opening: Opening) -> None:
    from seminarbot.adapters.discord.client import run as run_client

    await run_client(opening)
