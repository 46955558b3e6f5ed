"""Notices and prompt posts as Matrix message content (answers to commands: pages.py): an HTML
formatted body beside a plain one. Every message carries an empty m.mentions, so no text in it
(an "@room", a name) notifies anyone; "@room" is also broken up for clients that predate
intentional mentions."""

from __future__ import annotations

import re
from typing import Any

from seminarbot.core.replies import PromptPost, prompt_card
from seminarbot.domain.markup import html_escape

HTML_FORMAT = "org.matrix.custom.html"
# Carried by each prompt post so the outbox can find it again after a crash (find_post).
KEY_FIELD = "org.seminarbot.idempotency_key"
_ROOM_PING = re.compile(r"@(room)\b", re.IGNORECASE)
# A code span of the bot's own words (pages.py marks them), drawn as <code> in the HTML and
# given its backticks back in the plain body: two of Unicode's noncharacters, kept for a
# program's internal use (Unicode 15, §23.7), as domain/typed.py's marks are.
CODE_START, CODE_END = "\ufdd2", "\ufdd3"
_CODE_SPAN = re.compile(f"{CODE_START}([^{CODE_START}{CODE_END}]*){CODE_END}")

Content = dict[str, Any]


def defuse(text: str) -> str:
    return _ROOM_PING.sub("@\u2060\\1", text)


def escape_html(text: str) -> str:
    """HTML for the formatted_body: escaped, "@room" broken up, line breaks kept, a marked code
    span in <code> (a mark that pairs with none, as a page cut leaves it, is a backtick)."""
    escaped = defuse(html_escape(text, quote=False)).replace("\n", "<br>")
    if CODE_START not in escaped and CODE_END not in escaped:
        return escaped
    return _backticks(_CODE_SPAN.sub(r"<code>\1</code>", escaped))


def message(msgtype: str, plain: str, formatted: str) -> Content:
    return {"msgtype": msgtype, "body": defuse(_backticks(plain)), "format": HTML_FORMAT,
            "formatted_body": formatted, "m.mentions": {}}


def _backticks(text: str) -> str:
    return text.replace(CODE_START, "`").replace(CODE_END, "`")


def notice(text: str) -> Content:
    return message("m.notice", text, escape_html(text))


def prompt_content(post: PromptPost, prefix: str) -> Content:
    card = prompt_card(post, prefix)
    header = f"{card.heading} ({card.kind})"
    tail = f"{card.length} {card.how_to_answer}".strip()
    plain = [header, card.text, *(f"– {question}" for question in card.follow_ups), tail]
    parts = [f"<p><strong>{escape_html(header)}</strong></p>", f"<p>{escape_html(card.text)}</p>"]
    if card.follow_ups:
        parts.append("<ul>" + "".join(f"<li>{escape_html(q)}</li>" for q in card.follow_ups)
                     + "</ul>")
    parts.append(f"<p><em>{escape_html(tail)}</em></p>")
    content = message("m.text", "\n".join(plain), "".join(parts))
    content[KEY_FIELD] = post.idempotency_key
    return content


def file_content(filename: str, media_type: str, size: int, url: str,
                 encrypted_file: dict[str, Any] | None) -> Content:
    content: Content = {"msgtype": "m.file", "body": defuse(filename), "filename": filename,
                        "info": {"mimetype": media_type, "size": size}, "m.mentions": {}}
    if encrypted_file is not None:
        content["file"] = {**encrypted_file, "url": url}
    else:
        content["url"] = url
    return content


def replying(content: Content, to_event: str, thread_root: str | None) -> Content:
    """The content as a reply to an event; inside its thread when it was in one."""
    if thread_root:
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_root,
                                   "is_falling_back": True,
                                   "m.in_reply_to": {"event_id": to_event}}
    else:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": to_event}}
    return content


def in_thread(content: Content, thread_root: str) -> Content:
    content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_root,
                               "is_falling_back": True,
                               "m.in_reply_to": {"event_id": thread_root}}
    return content
