"""A thread's history, or one message read again, as the payloads Discord's API answers with
(GET /channels/{id}/messages), not as discord.py's objects.

The catch-up after a new gateway session reads every prompt thread from its start, and building
a discord.Message for each message read (its author, member, embeds, components) cost more CPU
than all the rest of the catch-up (benchmarks/discord_bench.py): only the fields that
events.inbound reads are taken here, by the same rule.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS
from seminarbot.adapters.discord.client import PLATFORM, is_snowflake
from seminarbot.adapters.discord.events import PEOPLE_WRITE, Edit, actor, id_text, on_edit
from seminarbot.adapters.discord.formatting import as_shown, person_name, unsigned
from seminarbot.domain.responses import with_attachments
from seminarbot.services.responses import InboundMessage

if TYPE_CHECKING:
    from seminarbot.services.container import Services

log = logging.getLogger(__name__)

Payload = Mapping[str, Any]
PAGE = 100  # messages per request, Discord's most
_PEOPLE_WRITE = {kind.value for kind in PEOPLE_WRITE}


async def pages_after(http: discord.http.HTTPClient, channel_id: int, after: int
                      ) -> AsyncIterator[list[Payload]]:
    """The channel's messages after message `after`, oldest first, a page at a time. Raises
    what discord.py raises for a refused request (discord.HTTPException) or the network."""
    while True:
        size, answer = readable(await http.logs_from(channel_id, PAGE, after=after))
        # Discord answers newest first; oldest first, as discord.py's history(oldest_first).
        page = sorted((m for m in answer if int(m["id"]) > after), key=lambda m: int(m["id"]))
        if not page:
            return
        yield page
        after = int(page[-1]["id"])
        if size < PAGE:
            return


async def pages_back_to(http: discord.http.HTTPClient, channel_id: int, oldest: int, most: int
                        ) -> AsyncIterator[list[Payload]]:
    """The channel's messages after message `oldest`, newest first, at most `most`, a page at
    a time. Raises as `pages_after`."""
    before: int | None = None
    while most > 0:
        size, answer = readable(await http.logs_from(channel_id, min(PAGE, most),
                                                     before=before))
        page = [m for m in answer if int(m["id"]) > oldest]
        if page:
            yield page
        if len(page) < len(answer) or size < min(PAGE, most) or not answer:
            return
        most -= size
        before = min(int(m["id"]) for m in answer)


def readable(answer: Any) -> tuple[int, list[Payload]]:
    """How many entries a page of messages Discord answered with holds, and those that are
    objects with an id (API docs, Message object); the others are said in one WARNING line
    and left, so that one stops no read."""
    given = answer if isinstance(answer, list) else []
    kept = [m for m in given if isinstance(m, Mapping) and is_snowflake(m.get("id"))]
    if len(kept) < len(given) or not isinstance(answer, list):
        log.warning("Discord answered with %d messages that are not messages as its API docs "
                    "describe them; left", len(given) - len(kept) or 1)
    return len(given), kept


def inbound_payload(data: Payload, thread_id: int, *, in_thread: bool = True,
                    guild: discord.Guild | None = None) -> InboundMessage | None:
    """A participant's message in thread `thread_id`, as events.inbound reads a message; with
    `in_thread` false, one in a channel (thread_id is then its channel's id), which counts
    only as a reply. One that cannot be read (no author, an author with no id …) is said in
    a WARNING line and is None: it stops nothing else. `guild`, the server it is in, names the
    roles and channels its text mentions (formatting.as_shown)."""
    try:
        return _inbound(data, thread_id, in_thread, guild)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        log.warning("Discord gave message %s in a form that cannot be read (%s: %s); left",
                    str(data.get("id"))[:30], type(error).__name__, str(error)[:100])
        return None


def _inbound(data: Payload, thread_id: int, in_thread: bool, guild: discord.Guild | None
             ) -> InboundMessage | None:
    author = data["author"]
    if author.get("bot") or data.get("webhook_id") or data.get("type") not in _PEOPLE_WRITE:
        return None
    reference = data.get("message_reference") or {}
    name = person_name(author, data.get("member")) or str(author["id"])
    channel = id_text(thread_id)
    reply_to = str(reference["message_id"]) if reference.get("message_id") else None
    if not in_thread and reply_to is None:
        return None
    return InboundMessage(
        PLATFORM, str(data["id"]), actor(int(author["id"]), name), _text(data, guild),
        discord.utils.snowflake_time(int(data["id"])), thread_id=channel if in_thread else None,
        reply_to=reply_to, channel_id=channel, edited_at=edited_at(data),
        named_here="member" in data)


def edited_at(data: Payload) -> datetime | None:
    """When it was last edited (None: never, or not a time that can be read)."""
    try:
        return discord.utils.parse_time(data.get("edited_timestamp"))
    except (TypeError, ValueError):
        return None


def _text(data: Payload, guild: discord.Guild | None) -> str:
    """As events._text: the text as shown, then its poll's lines, then a line per attached
    file."""
    files = data.get("attachments")
    return with_attachments(
        _shown(data, guild), ((str(a.get("filename") or "file"), unsigned(str(a.get("url") or "")),
                               str(a.get("description") or ""))
                              for a in (files if isinstance(files, list) else ())
                              if isinstance(a, Mapping)), _poll(data.get("poll")))


def _shown(data: Payload, guild: discord.Guild | None) -> str:
    content = str(data.get("content") or "")
    if "<" not in content:
        return content
    given = data.get("mentions")
    people = {int(user["id"]): name for user in (given if isinstance(given, list) else ())
              if isinstance(user, Mapping) and is_snowflake(user.get("id"))
              and (name := person_name(user, user.get("member"))) is not None}
    return as_shown(content, people, guild)


def _poll(poll: Any) -> tuple[str, list[str]] | None:
    """A poll's question and answers (Discord's API docs, Poll object: each a poll media
    object, whose text an answer may leave out for an emoji)."""
    if not isinstance(poll, dict):
        return None
    given = poll.get("answers")
    return _media(poll.get("question")), [_media(answer.get("poll_media")) for answer in
                                          (given if isinstance(given, list) else ())
                                          if isinstance(answer, dict)]


def _media(media: Any) -> str:
    if not isinstance(media, dict):
        return ""
    emoji = media.get("emoji")
    return str(media.get("text") or (emoji.get("name") if isinstance(emoji, dict) else "") or "")


async def reread(app: Services, client: discord.Client, channel_id: int,
                 message_id: int) -> bool:
    """A new message or a text edit discord.py could not read (client.SeminarClient._parse),
    taken from the message as Discord now has it (GET /channels/{channel_id}/messages/
    {message_id}): recorded if it is new, its text updated if it was edited. A message gone
    meanwhile is left to its deletion's event. False if Discord (a 5xx, a rate limit) or the
    network stopped the read, which may be tried again; a refusal (4xx) is logged."""
    try:
        data: Payload = await client.http.get_message(channel_id, message_id)
    except discord.NotFound:
        return True
    except discord.HTTPException as error:
        if error.status >= 500 or error.status == 429:
            return False
        log.warning("could not read message %s again from Discord: %s", message_id, error)
        return True
    except NETWORK_ERRORS:
        return False
    author = data.get("author") if isinstance(data, Mapping) else None
    if not isinstance(author, Mapping) or author.get("bot") or not is_snowflake(author.get("id")):
        return True
    guild = getattr(client.get_channel(channel_id), "guild", None)
    await on_edit(app, Edit(str(message_id), str(author["id"]), _text(data, guild),
                            edited_at(data), inbound_payload(data, channel_id, guild=guild)))
    return True
