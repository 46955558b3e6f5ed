"""The bot's answers as Matrix events, continued over several when one would be too large.

A homeserver refuses an event over 64 KiB (M_TOO_LARGE), measured on the whole event as JSON:
the plain body and the formatted_body both count. In an encrypted room the content is
encrypted and base64-encoded first (a third larger), and nio writes it with every non-ASCII
character as a \\u escape (six bytes, twelve for an emoji). An answer is cut into pieces (its
title, each paragraph, field and table row, its footer) and a page is filled piece by piece
while its event, measured that way, stays under PAGE_BYTES. Later pages repeat the title with
"(continued)"; a table that goes on to a new page repeats its header there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from seminarbot.adapters.matrix.render import CODE_END, CODE_START, Content, escape_html, message
from seminarbot.core.replies import Reply, Table, each_text, unmarked
from seminarbot.domain.display import isolate, without_bidi_controls
from seminarbot.domain.typed import outside

MAX_EVENT_BYTES = 65_536
# Room left for what the server adds around the content (ids, hashes, signatures, previous
# events) and for the reply relation and transaction details the sender adds.
PAGE_BYTES = MAX_EVENT_BYTES - 8_192
ROW_CELL_MAX = 1_000  # characters: a table cell longer than this is cut, so a row fits a page


def event_size(content: Content, *, encrypted: bool) -> int:
    """Bytes the event's content takes as the homeserver measures it (an estimate from above in
    encrypted rooms: the ciphertext, its MAC and signature, base64, and the envelope)."""
    if encrypted:
        return (len(json.dumps(content, separators=(",", ":"))) + 100) * 4 // 3 + 600
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())


@dataclass(frozen=True)
class _Piece:
    kind: str  # title, p, field, row, file, footer
    text: str = ""
    name: str = ""  # a field's name
    row: tuple[str, ...] = ()
    table: Table | None = None  # a row's table (its header)


def _pieces(reply: Reply) -> list[_Piece]:
    pieces = [_Piece("p", paragraph) for paragraph in reply.paragraphs]
    pieces += [_Piece("field", value, name=name) for name, value in reply.fields]
    if reply.table is not None:
        table = reply.table
        pieces += [_Piece("row", row=tuple(isolate(cell[:ROW_CELL_MAX]) for cell in row),
                          table=table) for row in table.rows] or [_Piece("row", table=table)]
    pieces += [_Piece("file", f"File: {a.filename} ({len(a.data):,} bytes), sent below.")
               for a in reply.attachments]
    if reply.footer:
        pieces.append(_Piece("footer", reply.footer))
    return pieces


def _render(reply: Reply, pieces: Sequence[_Piece], continued: bool) -> Content:
    plain: list[str] = []
    parts: list[str] = []
    if reply.title:
        title = reply.tone.mark + reply.title + (" (continued)" if continued else "")
        plain.append(title)
        parts.append(f"<p><strong>{escape_html(title)}</strong></p>")
    lead = "" if reply.title else reply.tone.mark
    open_group: tuple[str, Table | None] | None = None
    for piece in pieces:
        group = ("ul", None) if piece.kind == "field" else \
            ("table", piece.table) if piece.kind == "row" else None
        if group != open_group:
            if open_group is not None:
                parts.append("</ul>" if open_group[0] == "ul" else "</tbody></table>")
            if group is not None and group[0] == "ul":
                parts.append("<ul>")
            elif group is not None and group[1] is not None:
                headers = group[1].headers
                plain.append(" | ".join(headers))
                head = "".join(f"<th>{escape_html(cell)}</th>" for cell in headers)
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
            open_group = group
        _add(piece, lead, plain, parts)
    if open_group is not None:
        parts.append("</ul>" if open_group[0] == "ul" else "</tbody></table>")
    return message("m.notice", "\n".join(plain), "".join(parts))


def _add(piece: _Piece, lead: str, plain: list[str], parts: list[str]) -> None:
    if piece.kind == "p":
        plain.append(lead + piece.text)
        parts.append(f"<p>{escape_html(lead + piece.text)}</p>")
    elif piece.kind == "field":
        plain.append(f"{piece.name}: {piece.text}")
        parts.append(f"<li><strong>{escape_html(piece.name)}</strong>: "
                     f"{escape_html(piece.text)}</li>")
    elif piece.kind == "row" and piece.row:
        plain.append(" | ".join(piece.row))
        parts.append("<tr>" + "".join(f"<td>{escape_html(cell)}</td>" for cell in piece.row)
                     + "</tr>")
    elif piece.kind == "file":
        plain.append(piece.text)
        parts.append(f"<p>{escape_html(piece.text)}</p>")
    elif piece.kind == "footer":
        plain.append(piece.text)
        parts.append(f"<p><em>{escape_html(piece.text)}</em></p>")


def _halves(piece: _Piece) -> list[_Piece]:
    """A paragraph, field or footer too big for a page of its own, cut in two near the middle
    (at a line end or a space where there is one), each half isolated on its own (or, should
    closing what a half leaves open make it no shorter, without its bidirectional controls)."""
    text = piece.text
    middle = len(text) // 2
    cut = text.rfind("\n", 0, middle)
    if cut < middle // 2:
        cut = text.rfind(" ", 0, middle)
    if cut < max(1, middle // 2):
        cut = middle
    halves = [isolate(text[:cut]), isolate(text[cut:])]
    if max(map(len, halves)) >= len(text):
        halves = [without_bidi_controls(text[:cut]), without_bidi_controls(text[cut:])]
    return [replace(piece, text=half) for half in halves]


def reply_contents(reply: Reply, *, encrypted: bool = False,
                   page_bytes: int = PAGE_BYTES) -> list[Content]:
    """The answer as one or more m.notice contents, each within `page_bytes` as
    `event_size` measures it. Raises ValueError if a single table row cannot fit."""
    reply = _shown(reply)
    waiting = _pieces(reply)
    contents: list[Content] = []

    def fits(count: int) -> bool:
        content = _render(reply, waiting[:count], continued=bool(contents))
        return event_size(content, encrypted=encrypted) <= page_bytes

    while waiting or not contents:
        count = _most_that_fit(len(waiting), fits)
        if count == 0 and waiting:
            piece = waiting[0]
            if piece.kind == "row" or len(piece.text) < 2:
                raise ValueError("a table row too large for one Matrix event")
            waiting[:1] = _halves(piece)
            continue
        contents.append(_render(reply, waiting[:count], continued=bool(contents)))
        del waiting[:count]
    return contents


def _most_that_fit(available: int, fits: Callable[[int], bool]) -> int:
    """The largest count of pieces (from the first) whose page fits: doubling, then a binary
    search (every piece only adds to a page), so a page is never measured much beyond its
    size however long the answer."""
    low, high = 0, 1  # fits(low) is taken as true
    while high <= available and fits(high):
        low, high = high, high * 2
    high = min(high, available + 1)  # fits(high) is false, or high is past the end
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def reply_content(reply: Reply) -> Content:
    """The whole answer as one content, however large (for answers known to be small)."""
    reply = _shown(reply)
    return _render(reply, _pieces(reply), continued=False)


_BACKTICKED = re.compile(r"`([^`\n]+)`")


def _shown(reply: Reply) -> Reply:
    """The reply as Matrix shows it: the marks of a person's words dropped, and the bot's own
    `code` spans marked to be drawn as code (render.escape_html), but not in what a person
    typed that the reply quotes as such (domain/typed.py), which keeps its backticks
    (helper-174's 4: Element showed the bot's backticks literally)."""
    def coded(text: str) -> str:
        text = text.replace(CODE_START, "").replace(CODE_END, "")
        return outside(text, lambda piece: _BACKTICKED.sub(f"{CODE_START}\\1{CODE_END}", piece))
    return unmarked(each_text(reply, coded))
