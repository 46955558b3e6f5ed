"""Discord, through discord.py: slash commands built from the registry, prompts as embeds with
their own threads, thread replies recorded as responses.

`run(app)` is what `seminarbot run` calls; `sync_commands` is `seminarbot discord sync`.
"""

from seminarbot.adapters.discord.bot import SeminarClient, run
from seminarbot.adapters.discord.sync import sync_commands

__all__ = ["SeminarClient", "run", "sync_commands"]
