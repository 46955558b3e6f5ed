"""Escaping for the transcripts: Markdown that renders as the text itself, and HTML.

Each rule has a plain form and a fast path for text that needs nothing done, which is most
replies; property tests hold the fast paths equal to the plain forms. The byte forms take UTF-8
as SQLite hands it over: every character that matters here is ASCII, and no byte of a
multi-byte UTF-8 sequence is.
"""

from __future__ import annotations

import re

from seminarbot.domain.display import BIDI_BYTES, has_bidi_controls, isolate

# CommonMark treats a backslash before any ASCII punctuation as that character, literally.
# `$` opens and closes mathematics where renderers support it (GitHub, Obsidian, Jupyter).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&|~{}$])")
_MARKDOWN_LINE_START = re.compile(r"^([#+=\-]|\d+[.)])")


def markdown_escape(text: str, *, mid_line: bool = False) -> str:
    """Text that renders as itself: no emphasis, links, HTML, headings, lists or code.
    `mid_line` text follows something else on its line, so line-start markers are harmless
    on its first line (only: a name with a line break must not start a heading).

    Finding out that a text needs nothing (sixteen `in` tests, each a memchr) is several times
    faster than running the regular expressions over it."""
    if is_plain_markdown(text, mid_line=mid_line) and not has_bidi_controls(text):
        return text
    return escape_lines(text, mid_line=mid_line)


def is_plain_markdown(text: str, *, mid_line: bool = False) -> bool:
    """Whether `markdown_escape` leaves the text as it is (and it has one line)."""
    return not _needs_escaping(text) and (mid_line or not _starts_block(text))


def escape_lines(text: str, *, mid_line: bool = False) -> str:
    """`markdown_escape` line by line, isolated where it holds bidirectional controls
    (domain/display.py): the plain rule."""
    lines = []
    for index, line in enumerate(isolate(text).split("\n")):
        line = line.rstrip("\r")
        if _needs_escaping(line):  # memchr tests first: the expression scans in Python's matcher
            line = _MARKDOWN_INLINE.sub(r"\\\1", line)
        if not mid_line or index:
            # Leading blanks would make an indented code block; HTML drops them anyway.
            line = line.lstrip()
            if line[:1] in "#+=-" or line[:1].isdigit():  # all that can start a marker
                line = _MARKDOWN_LINE_START.sub(lambda m: _escape_marker(m.group(1)), line)
        lines.append(line)
    return "\n".join(lines)


def _needs_escaping(text: str) -> bool:
    return ("\n" in text or "\r" in text or "\\" in text or "`" in text or "*" in text
            or "_" in text or "[" in text or "]" in text or "<" in text or ">" in text
            or "&" in text or "|" in text or "~" in text or "{" in text or "}" in text
            or "$" in text)


def _starts_block(text: str) -> bool:
    """Whether a one-line text's start may need escaping: a blank, a marker or a digit."""
    first = text[:1]
    return not first or first.isspace() or first in "#+=-" or first.isdigit()


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1]


def blockquote(text: str) -> str:
    """Each line quoted; lines inside a paragraph end in a hard break so they stay lines."""
    if "\n" not in text:
        return "> " + text
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        last_of_paragraph = index == len(lines) - 1 or not lines[index + 1].strip()
        out.append("> " + line + ("" if last_of_paragraph or not line.strip() else "  "))
    return "\n".join(out)


def quoted_markdown(text: bytes, *, controls: bool = True) -> bytes:
    """`blockquote(markdown_escape(text))` of UTF-8 text, as UTF-8; plain text is not encoded
    again. `controls=False` says the text holds no bidirectional controls (a whole page was
    searched for them at once: searching each reply's text took half the transcript's time).
    (Testing the decoded text is faster than testing bytes: `in` on bytes goes through the
    buffer protocol each time.)"""
    t = text.decode(errors="replace")  # a damaged row: U+FFFD for what is not UTF-8
    first = t[:1]
    if not (not first or first.isspace() or first in "#+=-" or first.isdigit()
            or "\n" in t or "\r" in t or "\\" in t or "`" in t or "*" in t or "_" in t
            or "[" in t or "]" in t or "<" in t or ">" in t or "&" in t or "|" in t or "~" in t
            or "{" in t or "}" in t or "$" in t
            or (controls and has_bidi_controls(t))):  # inlined
        return b"> " + text
    return blockquote(escape_lines(t)).encode()


def html_escape(text: str, *, quote: bool = True) -> str:
    """`html.escape`, the same replacements in the same order (a property test holds them
    equal). Written out so that the bot need not import the html package, whose table of
    entities costs about 0.3 MB of memory, for five replacements."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&#x27;")
    return text


# UTF-8 of the bidirectional controls domain/display.py isolates (U+202A-E, U+2066-9).


def html_text_bytes(text: bytes, *, controls: bool = True) -> bytes:
    """`html_escape(isolate(text))` of UTF-8 text, as UTF-8: a reply's text in a transcript.
    `controls=False` says the text holds no bidirectional controls."""
    if controls and BIDI_BYTES.search(text) is not None:
        return html_escape(isolate(text.decode(errors="replace"))).encode()
    return html_escape_bytes(text)


def html_escape_bytes(text: bytes) -> bytes:
    """`html_escape` of UTF-8 text, as UTF-8 (the same five replacements, in the same order)."""
    return (text.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
            .replace(b'"', b"&quot;").replace(b"'", b"&#x27;"))
