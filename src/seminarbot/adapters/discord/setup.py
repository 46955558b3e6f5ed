"""Setting a seminar up on Discord: the channel it goes in (this one, or the text or forum
channel the `channel` option names), the bot's permissions there, checked before anything is
set up, and what setup adds afterwards: a forum's session tags, and a word on Manage Events
(needed only for `/seminar-mod events on`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import discord

from seminarbot.adapters.discord import forum as forums
from seminarbot.adapters.discord.channels import (
    NETWORK_ERRORS,
    get_or_fetch,
    is_media,
    seminar_channel_id,
)
from seminarbot.adapters.discord.permissions import EVENTS, may_list_events, missing_permissions
from seminarbot.core.commands import Command
from seminarbot.core.replies import Reply, Tone
from seminarbot.domain.errors import BadArgument, NotFound, UserError

SeminarChannel = discord.TextChannel | discord.ForumChannel


class MissingPermissions(UserError):
    title = "Missing permissions"


@dataclass(frozen=True)
class UnknownChannel:
    """A channel the `channel` option names that Discord cannot show the bot."""

    typed: str
    why: str


async def target_channel(interaction: discord.Interaction, named: str | None) -> object:
    """The channel the command sets up: the one named by the option, else where it was typed,
    a thread (a prompt's thread, a forum post) standing for its parent channel or forum, as
    for every command (interactions.place_of). UnknownChannel when Discord has none such that
    the bot can see (10003 Unknown Channel, say)."""
    if named is None:
        channel = interaction.channel
        if not isinstance(channel, discord.Thread):
            return channel
        wanted = seminar_channel_id(channel) or channel.id
    elif named.isdigit():
        wanted = int(named)
    else:
        return UnknownChannel(named, "not a channel id")
    try:
        return await get_or_fetch(interaction.client, wanted)
    except discord.HTTPException as error:
        return UnknownChannel(named or str(wanted), f"error {error.code}: {error.text}")
    except NETWORK_ERRORS as error:
        return UnknownChannel(named or str(wanted), f"{type(error).__name__}: {error}")


def granted(interaction: discord.Interaction, channel: object) -> discord.Permissions:
    """The bot's permissions in the channel: as the interaction reports them where it was
    typed, else computed from the bot's roles and the channel's overwrites."""
    if getattr(channel, "id", None) == interaction.channel_id or \
            not isinstance(channel, SeminarChannel):
        return interaction.app_permissions
    me = channel.guild.me
    return channel.permissions_for(me) if me is not None else discord.Permissions.none()


def check(interaction: discord.Interaction, channel: object, command: Command,
          again: str, sessions: list[int]) -> None:
    """Raise a UserError when the seminar cannot be set up in `channel`: unknown, not a text
    or forum channel of this server, the bot lacks a permission it needs there (all of them
    named), or a forum requires tags the bot cannot apply."""
    if isinstance(channel, UnknownChannel):
        raise NotFound(f"Discord shows the bot no channel {channel.typed!r} ({channel.why}): "
                       "name a text or forum channel of this server.")
    elsewhere = getattr(getattr(channel, "guild", None), "id", interaction.guild_id)
    if elsewhere != interaction.guild_id:  # another server's: never its name (helper-147's 3)
        raise NotFound(f"This server has no channel {getattr(channel, 'id', '')}: name a text "
                       "or forum channel of this server.")
    if channel is None or not isinstance(channel, SeminarChannel) \
            or channel.guild.id != interaction.guild_id or is_media(channel):
        shown = getattr(channel, "name", None) or "that channel"
        raise BadArgument("channel", "a text or forum channel of this server that the bot "
                                     "can see (a media channel holds no prompts)", shown)
    forum = isinstance(channel, discord.ForumChannel)
    missing = missing_permissions(granted(interaction, channel), forum=forum)
    if missing:
        where = f"In {channel.mention}" if forum else "In this channel"
        raise MissingPermissions(
            f"{where} the bot lacks: {', '.join(missing)}.",
            more=("Grant them to the bot (or its role) in the channel's permissions, then "
                  f"run {again} again. Nothing was set up.",),
            fields=(("Missing", "\n".join(missing)),))
    if isinstance(channel, discord.ForumChannel):
        why = forums.required_but_untagged(channel, granted(interaction, channel), sessions)
        if why:
            raise MissingPermissions(why)


async def with_notes(reply: Reply, channel: object, sessions: list[int],
                     guild_permissions: discord.Permissions) -> Reply:
    """A successful setup's reply, with what the moderator should know about this server:
    the forum's session tags, where its moderators' notices go, and Manage Events when it is
    missing."""
    if reply.tone is not Tone.SUCCESS:
        return reply
    notes = []
    if isinstance(channel, discord.ForumChannel):
        notes.append(await forums.setup_note(channel, sessions))
        notes.append(_notices_note(channel))
        notes.append(f"A forum takes no messages of its own: type this seminar's commands in "
                     f"one of the posts in {channel.mention} (a prompt's, or one of your own "
                     "before session 1 is out).")
    if not may_list_events(guild_permissions):
        notes.append(f"To list the sessions as server events (/seminar events on), the bot "
                     f"also needs {EVENTS}.")
    shown = tuple(note for note in notes if note)
    return replace(reply, paragraphs=(*reply.paragraphs, *shown)) if shown else reply


def _notices_note(forum: discord.ForumChannel) -> str:
    """A forum holds only posts: the moderators' notices (digests, failed posts) go to the
    server's system channel (poster.notify_moderators), if there is one the bot may post in."""
    system, me = forum.guild.system_channel, forum.guild.me
    if system is not None and me is not None and system.permissions_for(me).send_messages:
        return ""
    why = "this server has none" if system is None else \
        f"the bot may not send messages in {system.mention}"
    return ("A forum holds only posts, so notices for the moderators (digests, failed posts) "
            f"go to the server's system channel, and {why}: set one the bot may post in "
            "(Server Settings → Overview → System Messages Channel), or they reach only the "
            "bot's log.")
