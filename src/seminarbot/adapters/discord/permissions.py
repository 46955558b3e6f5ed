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
# In a forum channel a post is a thread with its starter message: Send Messages makes one
# (Discord's docs: Start Thread in Forum), Send Messages in Threads answers in it.
FORUM_REQUIRED = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("attach_files", "Attach Files"),
    ("read_message_history", "Read Message History"),
)
# Creating the session tags edits the forum's available tags: Manage Channels.
TAGS = ("manage_channels", "Manage Channels")
# Applying a moderated tag to a post takes Manage Threads (Discord's Forum Tag docs).
MODERATED_TAGS = ("manage_threads", "Manage Threads")
# Listing sessions as the server's scheduled events (external ones): Manage Events, or Create
# Events, which lets the bot change the events it made.
EVENTS = "Manage Events"
# Manage Server: what moderator commands require by default (default_member_permissions).
MODERATOR_PERMISSION = discord.Permissions(manage_guild=True)


def missing_permissions(granted: discord.Permissions, *, forum: bool = False) -> list[str]:
    wanted = FORUM_REQUIRED if forum else REQUIRED
    return [label for attribute, label in wanted if not getattr(granted, attribute)]


def may_tag(granted: discord.Permissions) -> bool:
    return bool(getattr(granted, TAGS[0]))


def may_list_events(granted: discord.Permissions) -> bool:
    """Server-wide permissions: external events need no channel permission."""
    return granted.manage_events or granted.create_events or granted.administrator


def is_moderator(permissions: discord.Permissions, roles: list[discord.Role],
                 moderator_role: str | None) -> bool:
    """Manage Server in this channel, or the configured role (by name or id)."""
    if permissions.manage_guild or permissions.administrator:
        return True
    if not moderator_role:
        return False
    wanted = moderator_role.strip().casefold()
    return any(role.name.casefold() == wanted or str(role.id) == wanted for role in roles)
