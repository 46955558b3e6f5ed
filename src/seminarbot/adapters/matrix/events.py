"""Matrix room events (their raw JSON, decrypted where need be) as the few things the bot reads:
a text message (or emote, or a file with its caption) with its thread and reply, an edit, a
redaction, a membership change. A message's text is its body as the person typed it: only a
genuine reply fallback is taken off."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from seminarbot.adapters.matrix.pills import pills
from seminarbot.adapters.matrix.polls import POLL_TYPES, poll_of
from seminarbot.domain.display import embedded, is_blank, is_unicode, unicode_text
from seminarbot.domain.responses import one_line, with_attachments

_TEXT_TYPES = ("m.text", "m.emote")  # notices are other bots talking: never commands or answers
_FILE_TYPES = ("m.image", "m.file", "m.audio", "m.video")
MAX_FORMATTED = 100_000  # characters of a formatted body searched for pills
# A content URI (Matrix spec, Content repository): mxc://<server name>/<media id>, the media id
# of [A-Za-z0-9_-]; a server name is a host name, an IPv4 or a bracketed IPv6, with a port.
_MXC = re.compile(r"mxc://[A-Za-z0-9.:\[\]-]{1,255}/[A-Za-z0-9_-]{1,255}")


@dataclass(frozen=True)
class Said:
    event_id: str
    sender: str
    text: str
    at: datetime
    thread_root: str | None = None
    reply_to: str | None = None
    emote: bool = False  # an m.emote: its text is shown after the sender's name
    # When a reply fallback was taken off: who its first line says was quoted, and the body as
    # it came. Only if that is who sent the event replied to was it a fallback (bot.py checks).
    quoted: str | None = None
    typed: str = ""
    attached: bool = False  # a file (its caption, then its line): never a command
    # Each user pill: its text, the id it links to, and which occurrence of that text it is
    pills: tuple[tuple[str, str, int], ...] = ()

    def as_command(self, prefix: str) -> tuple[str, dict[int, tuple[int, str]]]:
        """The text after `prefix` (and the spaces after that), and where in it each user pill
        is (Element's mention, whose body is the display name): core.parsing.Mentions, so
        that `--participant Ann Smith` names the one person the pill links to. Each pill is
        the occurrence of its text that the formatted body has it at."""
        line = self.text[len(prefix):].lstrip()
        offset = len(self.text) - len(line)
        mentions = {}
        found: dict[str, tuple[int, int]] = {}  # each text's last occurrence found: nth, at
        for shown, user_id, nth in self.pills:
            at = _occurrence(self.text, shown, nth, found)
            if at is not None and at >= offset:
                mentions[at - offset] = (at - offset + len(shown), user_id)
        return line, mentions


def _occurrence(text: str, shown: str, nth: int, found: dict[str, tuple[int, int]]
                ) -> int | None:
    """Where the `nth` (from 0) of the non-overlapping occurrences of `shown` begins, going on
    from the last one `found` for it (a message's pills come in order: each text is searched
    once, however many pills show it)."""
    count, at = found.get(shown, (-1, -len(shown)))
    if count > nth:
        count, at = -1, -len(shown)
    while count < nth:
        at = text.find(shown, at + len(shown))
        if at < 0:
            return None
        count += 1
    found[shown] = (count, at)
    return at


@dataclass(frozen=True)
class Edited:
    event_id: str
    sender: str
    target: str
    text: str
    at: datetime
    emote: bool = False
    pills: tuple[tuple[str, str, int], ...] = ()  # as Said's, of the new text
    quoted: str | None = None  # as Said's: who a fallback taken off names (fallback.py)
    typed: str = ""  # the new body as it came, fallback included


@dataclass(frozen=True)
class Redacted:
    event_id: str
    sender: str
    target: str
    at: datetime


@dataclass(frozen=True)
class Membership:
    event_id: str
    sender: str
    user_id: str
    membership: str
    previous: str | None
    reason: str


@dataclass(frozen=True)
class Upgraded:
    """A room upgrade's tombstone (m.room.tombstone, spec: Room Upgrades): the room goes on
    as `replacement` (a room id, as the homeserver gave it; may be empty)."""
    event_id: str
    sender: str
    replacement: str


RoomEvent = Said | Edited | Redacted | Membership | Upgraded


def left_the_room(change: Membership) -> bool:
    """Whether a membership change takes its user out of a room they were in (a leave, a kick,
    a ban from `join`; unknown before: taken as in): not an unban (ban to leave), nor a ban
    after a kick, nor an invite withdrawn."""
    return change.membership in ("leave", "ban") and change.previous in ("join", None)


def translate(source: Mapping[str, Any]) -> RoomEvent | None:
    """What the bot reads of an event (its `source`, as the homeserver sent it), or None for
    any other event, a malformed one included: its sender wrote its content, which must stop
    nothing (a relation that is no object, a time that is no number, an id that is no
    Unicode text)."""
    try:
        read = _read(source)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None
    return read if read is None or all(is_unicode(i) for i in _ids(read) if i is not None) else None


def _ids(event: RoomEvent) -> tuple[str | None, ...]:
    """The event's ids: Unicode text in every Matrix identifier (spec, Identifier Grammar)."""
    if isinstance(event, Said):
        return event.event_id, event.sender, event.thread_root, event.reply_to
    if isinstance(event, Membership):
        return event.event_id, event.sender, event.user_id
    if isinstance(event, Upgraded):
        return event.event_id, event.sender
    return event.event_id, event.sender, event.target


def _read(source: Mapping[str, Any]) -> RoomEvent | None:
    kind = source.get("type")
    content = source.get("content")
    event_id, sender = source.get("event_id"), source.get("sender")
    if not isinstance(content, dict) or not isinstance(event_id, str) \
            or not isinstance(sender, str):
        return None
    at = datetime.fromtimestamp(int(source.get("origin_server_ts") or 0) / 1000, UTC)
    if kind == "m.room.redaction":
        target = source.get("redacts") or content.get("redacts")  # room v11 moved it
        return Redacted(event_id, sender, target, at) if isinstance(target, str) else None
    if kind == "m.room.member":
        previous = (source.get("unsigned") or {}).get("prev_content") or {}
        return Membership(event_id, sender, str(source.get("state_key", "")),
                          str(content.get("membership", "")), previous.get("membership"),
                          unicode_text(str(content.get("reason", ""))))
    if kind == "m.room.tombstone" and source.get("state_key") == "":
        return Upgraded(event_id, sender, str(content.get("replacement_room") or ""))
    poll = poll_of(content) if kind in POLL_TYPES else None
    if kind != "m.room.message" and poll is None:
        return None
    relation = content.get("m.relates_to") or {}
    if relation.get("rel_type") == "m.replace":
        new = content.get("m.new_content") or {}
        target = relation.get("event_id")
        if not isinstance(target, str) or not isinstance(new.get("body"), str):
            return None
        # An older client's edit of its rich reply carries the fallback again (its SDK adds
        # it back before sending), though the new content has no relation of its own: taken
        # off here, and kept if the event edited is no rich reply to whom it names (fallback).
        text, quoted = file_text(new), None
        if text is None:
            text, quoted = _without_fallback(new["body"], new.get("formatted_body"))
        return Edited(event_id, sender, target, text, at, emote=new.get("msgtype") == "m.emote",
                      pills=_pills(new), quoted=quoted, typed=new["body"])
    attached = file_text(content) if poll is None else with_attachments("", (), poll)
    if attached is None and (content.get("msgtype") not in _TEXT_TYPES
                             or not isinstance(content.get("body"), str)):
        return None
    thread_root = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
    reply_to = None
    if not relation.get("is_falling_back"):
        reply_to = (relation.get("m.in_reply_to") or {}).get("event_id")
    if not isinstance(thread_root, str | None) or not isinstance(reply_to, str | None):
        return None
    if attached is not None:
        return Said(event_id, sender, attached, at, thread_root, reply_to, attached=True)
    text, quoted = without_reply_fallback(content)
    emote = content.get("msgtype") == "m.emote"
    return Said(event_id, sender, text, at, thread_root, reply_to, emote, quoted,
                str(content["body"]), pills=_pills(content))


def _pills(content: Mapping[str, Any]) -> tuple[tuple[str, str, int], ...]:
    formatted = content.get("formatted_body")
    if content.get("format") != "org.matrix.custom.html" or not isinstance(formatted, str) \
            or "https://matrix.to/#/" not in formatted:  # most messages: no link at all
        return ()
    return pills(formatted[:MAX_FORMATTED])


def file_text(content: Mapping[str, Any]) -> str | None:
    """A file's message as stored, as a Discord attachment is: its caption, then a line naming
    the file and its mxc:// URI; None for any other message. (Matrix spec, m.image, m.file,
    m.audio, m.video: a `filename` beside a `body` that differs from it makes the body a
    caption; without one the body is the file's name; an encrypted file's URI is in `file`.)
    A file without an mxc:// URI is malformed: None too. A blank caption is none."""
    body, name, url = content.get("body"), content.get("filename"), content.get("url")
    encrypted = content.get("file")
    if not isinstance(url, str) and isinstance(encrypted, dict):
        url = encrypted.get("url")
    if content.get("msgtype") not in _FILE_TYPES or not isinstance(body, str) \
            or not isinstance(url, str) or not _MXC.fullmatch(url):
        return None
    named = isinstance(name, str) and not is_blank(name)
    caption = body if named and body != name and not is_blank(body) else ""
    return with_attachments(caption, [(str(name) if named else body.strip() or "file", url)])


# The first line of a reply fallback: "> <@alice:example.org> …", or "> * <@alice:…> …" when
# the event replied to was an emote (the client-server spec before MSC2781 removed them).
_FALLBACK_FIRST_LINE = re.compile(r"> (\* )?<(@[^\s>:]+:[^\s>]+)>( |$)")


def without_reply_fallback(content: Mapping[str, Any]) -> tuple[str, str | None]:
    """The body as its author typed it, and who the fallback taken off names (None when
    nothing was taken off). Older clients put a quote of the message replied to before a rich
    reply's text (its fallback): that is dropped only when the event is a genuine rich reply
    (`m.in_reply_to`, and not a thread's `is_falling_back`), the quote's first line names the
    quoted sender as `> <@user:server>`, and any formatted_body starts with its `<mx-reply>`.
    The caller still checks that the user named sent the event replied to. Quotes a person
    types are kept."""
    body = str(content["body"])
    relation = content.get("m.relates_to") or {}
    if relation.get("is_falling_back") or not (relation.get("m.in_reply_to") or {}).get(
            "event_id"):
        return body, None
    return _without_fallback(body, content.get("formatted_body"))


def _without_fallback(body: str, formatted: object) -> tuple[str, str | None]:
    """`body` without a reply fallback's quote (its first line naming the sender quoted, any
    formatted body starting with `<mx-reply>`), and who that line names; else `body`, None."""
    if isinstance(formatted, str) and not formatted.lstrip().startswith("<mx-reply>"):
        return body, None
    lines = body.split("\n")
    first = _FALLBACK_FIRST_LINE.match(lines[0])
    if not first:
        return body, None
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:]), first.group(2)


def emote_text(actor: str, body: str) -> str:
    """An m.emote as clients show it: "* ann thinks so" for "/me thinks so". A name with
    bidirectional controls is one isolate of its own, so an override in it cannot reverse the
    words after it."""
    return f"* {embedded(one_line(actor))} {body}"
