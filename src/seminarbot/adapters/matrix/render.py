"""Responses and prompt posts as Matrix message content: an HTML formatted body beside a plain
one. Every message carries an empty m.mentions, so no text in it (an "@room", a name) notifies
anyone; "@room" is also broken up for clients that predate intentional mentions."""

from __future__ import annotations

import re
from typing import Any

from seminarbot.core.responses import PromptPost, Response, Table, Tone
from seminarbot.domain.markup import html_escape

HTML_FORMAT = "org.matrix.custom.html"
# Carried by each prompt post so the outbox can find it again after a crash (find_post).
KEY_FIELD = "org.seminarbot.idempotency_key"
_MARK = {Tone.ERROR: "✗ ", Tone.WARNING: "! ", Tone.SUCCESS: "✓ ", Tone.INFO: ""}
_ROOM_PING = re.compile(r"@(room)\b", re.IGNORECASE)

Content = dict[str, Any]


def defuse(text: str) -> str:
    return _ROOM_PING.sub("@\u2060\\1", text)


def _escape(text: str) -> str:
    return defuse(html_escape(text, quote=False)).replace("\n", "<br>")


def message(msgtype: str, plain: str, formatted: str) -> Content:
    return {"msgtype": msgtype, "body": defuse(plain), "format": HTML_FORMAT,
            "formatted_body": formatted, "m.mentions": {}}


def notice(text: str) -> Content:
    return message("m.notice", text, _escape(text))


def _plain_table(table: Table) -> list[str]:
    return [" | ".join(table.headers), *(" | ".join(row) for row in table.rows)]


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{_escape(cell)}</th>" for cell in table.headers)
    rows = "".join("<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>"
                   for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def response_content(response: Response) -> Content:
    plain: list[str] = []
    parts: list[str] = []
    if response.title:
        plain.append(_MARK[response.tone] + response.title)
        parts.append(f"<p><strong>{_escape(_MARK[response.tone] + response.title)}</strong></p>")
    for paragraph in response.paragraphs:
        lead = "" if response.title else _MARK[response.tone]
        plain.append(lead + paragraph)
        parts.append(f"<p>{_escape(lead + paragraph)}</p>")
    if response.fields:
        plain.extend(f"{name}: {value}" for name, value in response.fields)
        items = "".join(f"<li><strong>{_escape(name)}</strong>: {_escape(value)}</li>"
                        for name, value in response.fields)
        parts.append(f"<ul>{items}</ul>")
    if response.table is not None:
        plain.extend(_plain_table(response.table))
        parts.append(_html_table(response.table))
    for attachment in response.attachments:
        line = f"File: {attachment.filename} ({len(attachment.data):,} bytes), sent below."
        plain.append(line)
        parts.append(f"<p>{_escape(line)}</p>")
    if response.footer:
        plain.append(response.footer)
        parts.append(f"<p><em>{_escape(response.footer)}</em></p>")
    return message("m.notice", "\n".join(plain), "".join(parts))


def prompt_content(post: PromptPost, prefix: str) -> Content:
    header = (f"Session {post.session_number}: {post.session_title} · prompt {post.prompt_ref} "
              f"({post.kind})")
    tail = f"Reply in this thread to answer, or type {prefix}seminar respond {post.prompt_ref} TEXT"
    if post.suggested_words:
        tail = f"About {post.suggested_words} words. " + tail
    plain = [header, post.text, *(f"– {question}" for question in post.follow_ups), tail]
    parts = [f"<p><strong>{_escape(header)}</strong></p>", f"<p>{_escape(post.text)}</p>"]
    if post.follow_ups:
        parts.append("<ul>" + "".join(f"<li>{_escape(q)}</li>" for q in post.follow_ups)
                     + "</ul>")
    parts.append(f"<p><em>{_escape(tail)}</em></p>")
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
