"""What an export holds, and its two data formats: CSV and JSON Lines. Pure: values in, text out.

Every format lists responses in transcript order: sessions in plan order, then prompts in plan
order, then each prompt's thread, then responses by the time they were written.

CSV safety rule: a text cell that begins with = + - @, a tab, a carriage return or an
apostrophe, or with a compatibility form of = + - @ (fullwidth ＝, small ﹦, superscript ⁺…), or
with such a sign after characters that show nothing (spaces, line breaks, control and
zero-width characters, a byte-order mark: a spreadsheet may trim them), gets an apostrophe in
front, so no spreadsheet reads it as a formula; the original is always the cell minus one
leading apostrophe (`restore_cell`). Text cells are always quoted.

Bidirectional controls in a participant's text or name are isolated in every format
(domain/display.py); JSON Lines writes them as \\u escapes instead, so its values read back
exactly as stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from seminarbot.domain.display import isolate, json_safe

FORMATS = ("csv", "jsonl", "markdown", "html")
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "markdown": "md", "html": "html"}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8",
               "markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}

# Characters that make a spreadsheet treat a cell as a formula (OWASP's list), plus the
# apostrophe itself so that the rule can be undone exactly.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
# Every other character whose compatibility form (NFKC) begins with = + - or @, and the minus
# sign (U+2212) with those whose form it is (superscript and subscript minus).
FORMULA_LOOKALIKES = ("\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b"
                      "\uff0b\uff0d\uff1d\uff20\u2212\u207b\u208b")
# What shows nothing before a sign: whitespace, control (Cc) and format (Cf) characters, the
# default-ignorable ones (display.DEFAULT_IGNORABLE; Unicode 14), the braille blank and the
# musical null notehead (display's blank-looking ones: helper-163's 3). NUL aside: SQLite's
# text functions end a string at one (storage/export_lines.py).
_UNSEEN_RANGES = (
    (0x0001, 0x0020), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605),
    (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
    (0x115F, 0x1160), (0x1680, 0x1680), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2000, 0x200F),
    (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F), (0x2800, 0x2800), (0x3000, 0x3000),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D159, 0x1D159), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
    (0xE0100, 0xE01EF))
UNSEEN = "".join(chr(code) for first, last in _UNSEEN_RANGES for code in range(first, last + 1))
FORMULA_SIGNS = "=+-@" + FORMULA_LOOKALIKES  # guarded after unseen characters too
_GUARDED_FIRST = frozenset(FORMULA_TRIGGERS) | frozenset(FORMULA_LOOKALIKES)
_UNSEEN = frozenset(UNSEEN)
_SIGNS = frozenset(FORMULA_SIGNS)
CSV_COLUMNS = ("session", "session_id", "prompt", "prompt_id", "thread", "response_id",
               "participant", "author", "message_id", "written_at", "edited_at", "text", "link")
# Excel needs the byte-order mark to read UTF-8 (Cyrillic terms, names) correctly.
CSV_BOM = "\ufeff"


@dataclass(frozen=True)
class ExportScope:
    """Which responses: all of a cohort's, or one session's, a time range's, one participant's.

    `since` is inclusive and `until` exclusive, both UTC instants.
    """

    session_id: str | None = None
    participant_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


class Thread(NamedTuple):
    """One prompt's thread in one session: the heading a group of responses sits under."""

    session_number: int
    session_id: str
    session_title: str
    prompt_ref: str
    prompt_id: str
    prompt_kind: str
    prompt_text: str
    sections: tuple[str, ...]  # readable labels of the sections the prompt refers to
    thread: str  # the platform's thread (or prompt message) id; "" when unknown
    link: str = ""  # the thread's link on its platform (domain/links.py); "" when none


class Entry(NamedTuple):
    """One response as exports see it (the columns storage selects, in this order)."""

    response_id: int
    participant_id: int
    author: str
    message_id: str
    written_at: str  # UTC, ISO 8601 with Z
    edited_at: str | None
    link: str  # back to the original message (domain/links.py); "" when there is none
    text: str


# One response as transcripts read it from storage: (response_id, participant_id, author,
# written_at, edited_at or b"" if never edited, link or b"" if none, text), each field UTF-8
# as SQLite hands it over. A plain tuple: a million of them are made per export.
RawEntry = tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes]


class RawPage(NamedTuple):
    """A page of raw rows and whether any of their fields may hold bidirectional controls
    (False only when storage found none in the page's bytes)."""

    rows: list[RawEntry]
    controls: bool = True


@dataclass(frozen=True)
class ExportMeta:
    title: str
    seminar: str
    scope: str
    exported_at: datetime
    zone: ZoneInfo


def neutralise_cell(value: str) -> str:
    first = value[:1]
    if first in _GUARDED_FIRST or (first in _UNSEEN and value.lstrip(UNSEEN)[:1] in _SIGNS):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def csv_cell(value: str) -> str:
    """A text cell: isolated, neutralised, then always quoted (RFC 4180: quotes doubled)."""
    return '"' + neutralise_cell(isolate(value)).replace('"', '""') + '"'


def csv_header() -> str:
    return CSV_BOM + ",".join(CSV_COLUMNS) + "\r\n"


def csv_prefix(thread: Thread) -> str:
    """The cells every response of a thread shares, up to and including the comma after them."""
    return (f"{thread.session_number},{csv_cell(thread.session_id)},{csv_cell(thread.prompt_ref)},"
            f"{csv_cell(thread.prompt_id)},{csv_cell(thread.thread)},")


def csv_line(thread: Thread, entry: Entry) -> str:
    """The reference rendering of one row. Storage renders the same line inside SQLite for
    speed (storage/exports.py), except for rows holding bidirectional controls, which it
    renders with `csv_row`; tests hold the two equal for any text."""
    return csv_prefix(thread) + csv_row(entry)


def csv_row(entry: Entry) -> str:
    """One row's cells after the thread's (`csv_prefix`), with its line end."""
    return (f"{entry.response_id},{entry.participant_id},{csv_cell(entry.author)},"
            f"{csv_cell(entry.message_id)},{entry.written_at},{entry.edited_at or ''},"
            f"{csv_cell(entry.text)},{csv_cell(entry.link)}\r\n")


def jsonl_prefix(thread: Thread) -> str:
    """The start every JSON line of a thread shares, up to the response's own keys."""
    return (f'{{"session": {thread.session_number}, '
            f'"session_id": {json.dumps(thread.session_id, ensure_ascii=False)}, '
            f'"prompt": {json.dumps(thread.prompt_ref, ensure_ascii=False)}, '
            f'"prompt_id": {json.dumps(thread.prompt_id, ensure_ascii=False)}, '
            f'"thread": {json.dumps(thread.thread, ensure_ascii=False)}, ')


def jsonl_row(entry: Entry) -> str:
    """One response's keys of its JSON object, after its thread's (`jsonl_prefix`), with the
    object's close and the line end."""
    record = {"response_id": entry.response_id, "participant": entry.participant_id,
              "author": entry.author, "message_id": entry.message_id,
              "written_at": entry.written_at, "edited_at": entry.edited_at, "text": entry.text,
              "link": entry.link or None}
    return json.dumps(record, ensure_ascii=False)[1:] + "\n"


def jsonl_line(prefix: str, entry: Entry) -> str:
    """A response's JSON line after its thread's prefix, bidirectional controls written as
    \\u escapes."""
    return json_safe(prefix + jsonl_row(entry))


def jsonl_lines(thread: Thread, entries: Sequence[Entry]) -> str:
    """One JSON object per response, keys in CSV column order, values unaltered (bidirectional
    controls written as \\u escapes): the reference rendering. Storage renders the same lines
    inside SQLite (json_quote) for speed; a property test holds the two equal for any text."""
    prefix = jsonl_prefix(thread)
    return "".join(jsonl_line(prefix, entry) for entry in entries)
