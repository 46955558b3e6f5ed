"""What the bot needs in a seminar channel, and who counts as a moderator on Discord."""

from __future__ import annotations

import discord

# (discord.py attribute, the name Discord's settings show)
REQUIRED = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("create_public_threads", "Create Public Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("attach_files", "Attach Files"),
    ("read_message_history", "Read Message History"),
)
# Manage Server: what moderator commands require by default (default_member_permissions).
MODERATOR_PERMISSION = discord.Permissions(manage_guild=True)


def missing_permissions(granted: discord.Permissions) -> list[str]:
    return [label for attribute, label in REQUIRED if not getattr(granted, attribute)]


def is_moderator(permissions: discord.Permissions, roles: list[discord.Role],
                 moderator_role: str | None) -> bool:
    """Manage Server in this channel, or the configured role (by name or id)."""
    if permissions.manage_guild or permissions.administrator:
        return True
    if not moderator_role:
        return False
    wanted = moderator_role.strip().casefold()
    return any(role.name.casefold() == wanted or str(role.id) == wanted for role in roles)
