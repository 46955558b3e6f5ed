"""Discord's message formatting as a person reads it in Discord's own client (API docs,
Reference → Message Formatting), for the text of a response: a mention `<@id>` or `<@!id>` is
`@name`, a role's `<@&id>` `@name`, a channel's `<#id>` `#name`, a custom emoji `<:name:id>`
`:name:`, a command's `</name:id>` `/name`, a timestamp `<t:seconds:style>` its time in UTC.
Inside code (between backticks) and after a backslash Discord shows the markup itself: kept as
typed there.

Names come only from what Discord resolved for that message (its `mentions`, its server's roles
and the channels every member may see): one not known there is kept as typed, so nothing of
another server, and no private channel, is named.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import discord


@functools.cache
def _markup() -> re.Pattern[str]:
    """Compiled when first needed: most messages hold no `<`, and a start need not pay for it.
    Discord's ids and seconds are ASCII digits: `<@１>` shows as typed."""
    return re.compile(r"(```.*?```|``.*?``|`[^`]*`|\\<)"  # shown as typed: code, an escape
                      r"|<(?:@!?([0-9]{1,20})|@&([0-9]{1,20})|#([0-9]{1,20})"
                      r"|/([^\s:<>/][^:<>/]{0,98}):[0-9]{1,20}|a?:(\w{1,32}):[0-9]{1,20}"
                      r"|t:(-?[0-9]{1,14})(?::[tTdDfFR])?)>", re.DOTALL)


def person_name(user: Mapping[str, Any], member: object) -> str | None:
    """The name a user object shows in a server, as discord.py's `display_name`: the server's
    nickname (`member`'s `nick`, when it is a member object), else the global name, else the
    username."""
    nick = member.get("nick") if isinstance(member, Mapping) else None
    name = nick or user.get("global_name") or user.get("username")
    return str(name) if name else None


def resolved_people(data: Mapping[str, Any]) -> dict[int, str]:
    """The names of the users an interaction's data resolved (API docs, Interaction Object →
    Resolved Data: `users` and `members`, by id), if Discord gave any."""
    resolved = data.get("resolved")
    if not isinstance(resolved, Mapping) or not isinstance(users := resolved.get("users"),
                                                           Mapping):
        return {}
    members = resolved.get("members")
    members = members if isinstance(members, Mapping) else {}
    return {int(key): name for key, user in users.items()
            if str(key).isdigit() and isinstance(user, Mapping)
            and (name := person_name(user, members.get(key))) is not None}


def as_shown(content: str, people: Mapping[int, str], guild: discord.Guild | None) -> str:
    """`content` with its formatting as shown: `people` maps the ids of the users Discord
    found mentioned to their names; roles, channels and threads are those `guild` holds."""
    if "<" not in content:
        return content

    def shown(match: re.Match[str]) -> str:
        typed, user, role, channel_id, command, emoji, seconds = match.groups()
        name: str | None = None
        if typed is not None:
            name = typed
        elif user is not None:
            name = _prefixed("@", people.get(int(user)))
        elif role is not None:
            found = guild.get_role(int(role)) if guild is not None else None
            # The role every member has is named "@everyone" already.
            name = None if found is None else "@" + found.name.removeprefix("@")
        elif channel_id is not None:
            name = _prefixed("#", _public_channel(guild, int(channel_id)))
        elif command is not None:
            name = "/" + command
        elif emoji is not None:
            name = f":{emoji}:"
        elif seconds is not None:
            name = _utc(int(seconds))
        return match.group() if name is None else name

    return _markup().sub(shown, content)


def _public_channel(guild: discord.Guild | None, channel_id: int) -> str | None:
    """The name of a channel or thread of `guild` that every member may see: a private one's
    name is not shown to whoever typed its id without seeing it, nor read in their words."""
    place = guild.get_channel_or_thread(channel_id) if guild is not None else None
    if place is None or guild is None or (isinstance(place, discord.Thread)
                                          and place.is_private()):
        return None
    try:
        seen = place.permissions_for(guild.default_role).view_channel
    except discord.ClientException:  # a thread whose channel discord.py does not hold
        return None
    return place.name if seen else None


def _prefixed(sign: str, name: str | None) -> str | None:
    return None if name is None else sign + name


def _utc(seconds: int) -> str | None:
    try:
        instant = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):  # beyond the years datetime holds
        return None
    seconds_shown = f":{instant.second:02d}" if instant.second else ""
    return (f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d} "
            f"{instant.hour:02d}:{instant.minute:02d}{seconds_shown} UTC")


# The query parameters Discord's CDN signs an attachment's link with (Discord's API docs,
# Reference → Signed Attachment CDN URLs): `ex` (when it expires), `is` (when it was issued),
# `hm` (the signature). Discord signs the link anew at each read, and the signed link works
# for about a day; Discord's clients sign again a link without them when it is opened there.
_SIGNATURE = frozenset({"ex", "is", "hm"})


def unsigned(url: str) -> str:
    """An attachment's link without the CDN's signature, the same at every read: a re-read
    signed it anew, which read as an edit after each reconnect (helper-134). Any other query
    is kept; a link with no query is returned as it is."""
    if "?" not in url:
        return url
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if key not in _SIGNATURE]
    return urlunsplit(parts._replace(query=urlencode(kept)))
