"""Transcript pages whose rows SQLite rendered (storage/transcript_lines.py), put together.

SQLite writes each row's head (the author, the local times, the link, the id) from a table of
what each UTC hour reads as locally (`hour_parts`, worked out here with zoneinfo) and hands the
texts over as they are: Python only quotes or escapes the texts. A row SQLite could not render
(a name that needs escaping, a time in an hour not in the table) has its id for a head and is
rendered by the transcript's own `encoded`, the reference. A property test holds the pages
equal to the reference transcripts (tests/domain/test_transcript_pages.py).
"""

from __future__ import annotations

from functools import partial
from itertools import chain, repeat
from typing import NamedTuple

from seminarbot.domain.display import has_bidi_controls
from seminarbot.domain.exports import RawEntry, Thread
from seminarbot.domain.markup import html_escape, html_escape_bytes, quoted_markdown
from seminarbot.domain.transcript import HtmlTranscript, MarkdownTranscript

Transcript = MarkdownTranscript | HtmlTranscript
_QUOTED = partial(quoted_markdown, controls=False)
_HTML_END = b"</div>\n</article>\n"


class RenderedPage(NamedTuple):
    """A page as SQLite rendered it; no field holds a bidirectional control."""

    heads: list[bytes]  # per row: its head, or its id (ASCII digits) if `left` has the row
    texts: bytes  # the rows' texts, UTF-8, joined with NUL (texts never hold one)
    left: dict[bytes, RawEntry]  # the rows SQLite left to Python, by id


def hour_parts(transcript: Transcript, hour: str) -> tuple[str, int, str] | None:
    """What a UTC hour (`2026-01-06T19`) reads as locally, shaped for the transcript's format:
    (the local day as `Tue 06 Jan 2026 `, the local minute of the day at the hour's start, the
    zone's abbreviation), or None if stamps in that hour are described one by one
    (domain/schedule.py LocalStamps). A stamp's local text is day + HH:MM + space + name."""
    found = transcript.local.hour(hour)
    if found is None or isinstance(transcript, MarkdownTranscript):
        return found
    day, start, name = found
    if has_bidi_controls(day + name):  # then the whole text would be isolated
        return None
    return html_escape(day), start, html_escape(name)


def rendered_page(transcript: Transcript, thread: Thread, page: RenderedPage) -> bytes:
    """`transcript.encoded(thread, rows)` of the page's rows, from SQLite's rendering."""
    out = [heading.encode() for heading in transcript.headings(thread)]
    if isinstance(transcript, MarkdownTranscript):
        texts, end = map(_QUOTED, page.texts.split(b"\0")), b"\n"
    else:
        texts, end = iter(html_escape_bytes(page.texts).split(b"\0")), _HTML_END
    if not page.left:
        out.extend(chain.from_iterable(zip(page.heads, texts, repeat(end))))
        return b"".join(out)
    for head, text in zip(page.heads, texts, strict=True):
        row = page.left.get(head)
        if row is None:
            out += (head, text, end)
        else:
            out.append(transcript.encoded(thread, [row]))
    return b"".join(out)
