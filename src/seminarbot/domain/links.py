"""Links back to the conversation: a Discord message link, a Matrix permalink (matrix.to).

Exports put one on every thread and response, so a reader of a transcript can go back to the
original. Pure: built from the ids the outbox and the responses keep.

- Discord: `https://discord.com/channels/<guild>/<channel>/<message>`, where the channel is
  the thread (or channel) holding the message; a thread is `…/<guild>/<thread>`
  (Discord's "Copy Message Link" and "Copy Link").
- Matrix: `https://matrix.to/#/<room>/<event>?via=<server>&via=…` (the spec's matrix.to
  permalink, Appendices: "matrix.to navigation"; every response, a `!seminar respond`
  included, is an event in the seminar's room). A room id alone is not routable (a version 12
  room's id names no server), so the link names up to three servers to join through, as the
  spec asks: the room id's own, then those of most of the room's people (`via_servers`).
- The console has no links.

Ids are used as they are, but for "%" and "/" (which a room version 3 event id may hold) and
what no platform's id holds, but a damaged row's might (a quote, a bracket, a backslash, a
space, a line break: it would end a link early, helper-181's 2), which are percent-encoded, on
every platform: a link never needs escaping in CSV, nor ends a Markdown link.
"""

from __future__ import annotations

import unicodedata
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

DISCORD = "https://discord.com/channels/"
MATRIX = "https://matrix.to/#/"
MOST_VIA = 3  # servers a link names, as Element's permalinks do


# Kept as they are in a path segment: printable ASCII but for the escape itself, the separator,
# and what would end a CSV cell, a Markdown <…> link (a backslash escapes its ">") or an HTML
# attribute early. SQLite tells these apart in storage/export_lines.py.
PLAIN = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '%/"<>\\')


def url_segment(value: str) -> str:
    """`value` percent-encoded (RFC 3986, UTF-8) where it holds more than PLAIN: those six,
    spaces and line breaks of every kind, control and format characters (helper-182's 1: a NEL
    in an id was a line break by the time a transcript was written); other letters kept."""
    if all(char in PLAIN for char in value):
        return value
    return "".join(urllib.parse.quote(char, safe="") if char in '%/"<>\\'
                   or unicodedata.category(char)[0] in "CZ" else char for char in value)


@dataclass(frozen=True)
class Links:
    """How one thread's responses are linked (storage renders the same rule in SQL):
    `event_base` + message id where it is set (Matrix), else `channel_base` + the response's
    channel + "/" + message id where both are set (Discord), else the thread's own link."""

    thread: str = ""
    event_base: str | None = None
    channel_base: str | None = None
    via: str = ""  # after a Matrix event's id: "?via=…" (routing), or nothing

    def response(self, message_id: str, channel_id: str | None) -> str:
        if self.event_base is not None:
            return self.event_base + url_segment(message_id) + self.via
        if self.channel_base is not None and channel_id is not None:
            return f"{self.channel_base}{url_segment(channel_id)}/{url_segment(message_id)}"
        return self.thread


def via_servers(room_id: str, people: Sequence[str], most: int = MOST_VIA) -> tuple[str, ...]:
    """The servers a Matrix link names to join the room through: the room id's own server
    (rooms before version 12), then `people`'s (servers, most people first), at most `most`."""
    own = [room_id.split(":", 1)[1]] if ":" in room_id else []
    return tuple(dict.fromkeys(server for server in (*own, *people) if server))[:most]


def links_for(platform: str, community_id: str, channel_id: str, post_id: str,
              thread_id: str | None, via: Sequence[str] = ()) -> Links:
    """The links of one prompt's thread. `post_id` is the prompt's message, `thread_id` its
    thread when it has one (on Discord a thread started from a message shares its id); `via`,
    on Matrix, the servers to route through (`via_servers`)."""
    if platform == "discord" and post_id:
        base = f"{DISCORD}{url_segment(community_id)}/"
        thread = f"{base}{url_segment(thread_id)}" if thread_id \
            else f"{base}{url_segment(channel_id)}/{url_segment(post_id)}"
        return Links(thread, channel_base=base)
    if platform == "matrix" and post_id:
        base = f"{MATRIX}{url_segment(channel_id)}/"
        routed = "&".join(f"via={urllib.parse.quote(server, safe=':')}" for server in via)
        suffix = f"?{routed}" if routed else ""
        return Links(base + url_segment(post_id) + suffix, event_base=base, via=suffix)
    return Links()
