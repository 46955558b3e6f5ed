"""Message contents shaped as Element sends them (matrix-react-sdk on matrix-js-sdk), and as
older clients sent rich replies (with a reply fallback, before MSC2781 dropped them).

Element writes Markdown: the plain body is what was typed; a formatted_body is added only when
the Markdown makes HTML. Every thread message carries `m.in_reply_to` (the thread's latest
event) with `is_falling_back: true` and no fallback text; an emote (/me) is an m.emote whose
body is the rest of the line.
"""

from __future__ import annotations

import html
from typing import Any

Content = dict[str, Any]


def _markdown_html(body: str) -> str | None:
    """What Element's Markdown makes of the few shapes the tests type: a quote block followed by
    paragraphs. None for plain text (Element sends no formatted_body then)."""
    if not body.startswith(">"):
        return None
    quoted, _, rest = body.partition("\n\n")
    quote = "<br>".join(html.escape(line.lstrip(">").strip()) for line in quoted.split("\n"))
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in rest.split("\n\n") if p)
    return f"<blockquote>\n<p>{quote}</p>\n</blockquote>\n{paragraphs}"


def typed(body: str, msgtype: str = "m.text", *, markdown: bool = True) -> Content:
    """`markdown=False`: sent with /plain, or with Markdown turned off: no formatted_body."""
    content: Content = {"msgtype": msgtype, "body": body, "m.mentions": {}}
    formatted = _markdown_html(body) if msgtype == "m.text" and markdown else None
    if formatted is not None:
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = formatted
    return content


def in_thread(body: str, root: str, latest: str, msgtype: str = "m.text", *,
              markdown: bool = True) -> Content:
    """A message typed in a thread's composer: a reply to the thread's latest event, falling
    back to the thread for clients without threads."""
    content = typed(body, msgtype, markdown=markdown)
    content["m.relates_to"] = {"rel_type": "m.thread", "event_id": root,
                               "is_falling_back": True, "m.in_reply_to": {"event_id": latest}}
    return content


def reply_in_thread(body: str, root: str, to_event: str, *, markdown: bool = True) -> Content:
    """The "Reply" action on a message inside a thread: a genuine reply (`is_falling_back`
    false) within the thread, with no fallback."""
    content = typed(body, markdown=markdown)
    content["m.relates_to"] = {"rel_type": "m.thread", "event_id": root,
                               "is_falling_back": False, "m.in_reply_to": {"event_id": to_event}}
    return content


def rich_reply(body: str, to_event: str) -> Content:
    """A reply (the "Reply" action) from a current Element: no fallback (MSC2781)."""
    content = typed(body)
    content["m.relates_to"] = {"m.in_reply_to": {"event_id": to_event}}
    return content


def old_rich_reply(body: str, room: str, to_event: str, to_sender: str, to_body: str) -> Content:
    """A reply from a client that still sends the fallback: the message replied to, quoted
    with its sender, before the text, in the plain body and (in <mx-reply>) the HTML one."""
    lines = to_body.split("\n")
    fallback = "\n".join([f"> <{to_sender}> {lines[0]}", *(f"> {line}" for line in lines[1:])])
    quoted = "<br>".join(html.escape(line) for line in lines)
    mx_reply = (f'<mx-reply><blockquote><a href="https://matrix.to/#/{room}/{to_event}">In '
                f'reply to</a> <a href="https://matrix.to/#/{to_sender}">{to_sender}</a><br>'
                f"{quoted}</blockquote></mx-reply>")
    return {"msgtype": "m.text", "body": f"{fallback}\n\n{body}",
            "format": "org.matrix.custom.html",
            "formatted_body": mx_reply + html.escape(body),
            "m.relates_to": {"m.in_reply_to": {"event_id": to_event}}, "m.mentions": {}}


def edit(body: str, target: str, msgtype: str = "m.text") -> Content:
    """An edit, as Element sends it: "* " before the fallback body, the new content inside."""
    return {"msgtype": msgtype, "body": "* " + body, "m.mentions": {},
            "m.new_content": {"msgtype": msgtype, "body": body, "m.mentions": {}},
            "m.relates_to": {"rel_type": "m.replace", "event_id": target}}
