"""The SQL that renders one response for export, over `responses r` with its author (`p`, `n`:
storage/counted.py RESPONSES_AND_AUTHORS): its CSV line, its JSON line, its fields as the
transcripts read them, and its link back to the platform in each. Every rendering has a Python
reference in domain/ (`csv_line`, `jsonl_lines`, `Links.response`, the transcripts' `entries`)
that property tests hold it equal to (tests/domain/test_fast_paths.py, test_export_formats.py).

Parameters, in order: a line takes the thread's prefix, then LINK's five (`link_params`); the
field lists take LINK's five.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from seminarbot.domain.display import (
    BIDI_BYTES,
    JSON_UNSAFE_BYTES,
    as_text,
    c0_controls,
    has_c1,
)
from seminarbot.domain.exports import (
    FORMULA_LOOKALIKES,
    FORMULA_SIGNS,
    FORMULA_TRIGGERS,
    UNSEEN,
    Entry,
    csv_row,
    jsonl_line,
)
from seminarbot.domain.links import PLAIN, Links
from seminarbot.storage.counted import AUTHOR
from seminarbot.storage.damage import key_text


def _codes(chars: str) -> str:
    return ", ".join(str(ord(c)) for c in chars)


# UNSEEN as an SQL string (control characters in SQL text are hard to read): char() takes at
# most 127 arguments (SQLITE_MAX_FUNCTION_ARG's default). A constant, made once per statement.
_SQL_UNSEEN = " || ".join(f"char({_codes(UNSEEN[i:i + 100])})" for i in range(0, len(UNSEEN), 100))


def sql_formula_guard(column: str) -> str:
    """SQL for the apostrophe `neutralise_cell` puts before `column`, or ''. Most cells begin
    with printable ASCII, told by a range and a short list (the long lists cost 0.1 µs a
    cell); the unseen characters are trimmed only from a cell that begins with one."""
    printable = "".join(c for c in FORMULA_TRIGGERS if "!" <= c <= "~")
    return (f"CASE WHEN unicode({column}) BETWEEN 33 AND 126 THEN CASE WHEN unicode({column})"
            f" IN ({_codes(printable)}) THEN '''' ELSE '' END"
            f" WHEN unicode({column}) IN ({_codes(''.join(FORMULA_TRIGGERS))}, "
            f"{_codes(FORMULA_LOOKALIKES)}) THEN '''' WHEN unicode({column}) IN "
            f"({_codes(UNSEEN)}) AND unicode(ltrim({column}, {_SQL_UNSEEN})) IN "
            f"({_codes(FORMULA_SIGNS)}) THEN '''' ELSE '' END")


def _sql_quoted(column: str) -> str:
    return f"CASE WHEN instr({column}, '\"') THEN replace({column}, '\"', '\"\"') ELSE {column} END"


def _sql_cells(columns: tuple[str, ...], text_cells: frozenset[str],
               nullable: frozenset[str]) -> tuple[list[str], list[str]]:
    """printf's formats and arguments for the cells."""
    formats, arguments = [], []
    for column in columns:
        if column in text_cells:
            formats.append('"%s%s"')
            arguments += [sql_formula_guard(column), _sql_quoted(column)]
        else:
            formats.append("%s")
            arguments.append(f"COALESCE({column}, '')" if column in nullable else column)
    return formats, arguments


def sql_csv_line(columns: tuple[str, ...], text_cells: frozenset[str],
                 nullable: frozenset[str]) -> str:
    """SQL rendering one CSV line (CRLF-terminated) after a `?` prefix parameter:
    text cells guarded and quoted like `csv_cell` (quotes doubled only where there are any),
    other cells as they are, NULL as empty. One printf renders the cells before the last text
    cell's text, one those after it, and that text is joined between them (||) whole: printf's
    %s would end it at a NUL, where only scanning it again could tell (CSV_NUL scans the
    other cells, which are short)."""
    last = max(i for i, column in enumerate(columns) if column in text_cells)
    head, head_arguments = _sql_cells(columns[:last], text_cells, nullable)
    tail, tail_arguments = _sql_cells(columns[last + 1 :], text_cells, nullable)
    text = columns[last]
    before = "%s" + "".join(f"{cell}," for cell in head) + '"%s'
    after = "".join(f",{cell}" for cell in tail)
    return (f"printf('{before}', ?, {', '.join([*head_arguments, sql_formula_guard(text)])})"
            f" || COALESCE({_sql_quoted(text)}, '') || printf('\"{after}' || char(13, 10)"
            f"{''.join(f', {argument}' for argument in tail_arguments)})")


# A response's link (domain/links.py `Links.response`, rendered here): the six parameters
# are the thread's event base (twice) and via, channel base (twice) and own link (NULL where a
# base is unused). Each CASE on a base keeps SQLite from rendering links no row uses (`NULL ||
# x` still computes x). An id is used as it is where it holds only domain/links.py's PLAIN
# characters, else escaped by `url_segment` itself, which storage.db gives every connection;
# so that every row pays little for the rare damaged one, Discord's ids are told plain by being
# digits (a snowflake's), a Matrix id by a short scan (helper-182's 1).
def _sql_segment(column: str) -> str:
    return (f"CASE WHEN length(CAST({column} AS BLOB)) != length({column}) OR {column} GLOB "
            f"'*[{_GLOB_ESCAPED}]*' THEN url_segment(CAST({column} AS BLOB)) ELSE {column} END")


# What PLAIN leaves out of ASCII as a GLOB set (a non-ASCII character is told by its length in
# bytes): the six, and from U+0001 to the space, and DEL.
_GLOB_ESCAPED = "".join(c for c in map(chr, range(0x21, 0x7F)) if c not in PLAIN) \
    + "\x01- \x7f"
_DIGITS = "ltrim(r.channel_id || r.message_id, '0123456789') = ''"


LINK = (f"COALESCE(CASE WHEN ? IS NOT NULL THEN ? || {_sql_segment('r.message_id')} || ? END,"
        f" CASE WHEN ? IS NOT NULL THEN ? || CASE WHEN {_DIGITS}"
        " THEN r.channel_id || '/' || r.message_id"
        f" ELSE {_sql_segment('r.channel_id')} || '/' || {_sql_segment('r.message_id')} END END,"
        " ?)")


def link_params(links: Links) -> tuple[str | None, ...]:
    """LINK's parameters for one thread's links."""
    return (links.event_base, links.event_base, links.via, links.channel_base,
            links.channel_base, links.thread)


# A link holds no quote and begins with no formula character (domain/links.py): quoting it is
# all `csv_cell` does to it (bidirectional controls aside, which storage/exports.py handles).
CSV_LINE = sql_csv_line(
    ("r.id", "r.participant_id", AUTHOR, "r.message_id", "r.created_at", "r.edited_at",
     "r.body", f"'\"' || {LINK} || '\"'"),
    frozenset({AUTHOR, "r.message_id", "r.body"}),
    frozenset({"r.edited_at", f"'\"' || {LINK} || '\"'"}))


def _json_text(column: str) -> str:
    """`column` as a JSON string (null for NULL). A damaged row's BLOB or number is read as
    text first, as every other format reads it (json_quote refuses a BLOB)."""
    return f"json_quote(CAST({column} AS TEXT))"


# json_quote escapes exactly what json.dumps(ensure_ascii=False) does: the quote, the backslash
# and control characters (\b \t \n \f \r short, the rest as \u00XX); NULL is null, which is
# what an empty link is written as.
JSONL_LINE = (
    "printf('%s\"response_id\": %d, \"participant\": %d, \"author\": %s, "
    "\"message_id\": %s, \"written_at\": %s, \"edited_at\": %s, \"text\": %s, \"link\": %s}'"
    " || char(10),"
    f" ?, r.id, r.participant_id, {_json_text(AUTHOR)}, {_json_text('r.message_id')},"
    f" {_json_text('r.created_at')}, {_json_text('r.edited_at')}, {_json_text('r.body')},"
    f" json_quote(NULLIF({LINK}, '')))")

# domain.exports.Entry's fields, the text ones as bytes (`entry` decodes them: a damaged row's
# bytes that are not UTF-8 read as U+FFFD, as in the formats SQLite renders).
ENTRY = (f"r.id, r.participant_id, CAST({AUTHOR} AS BLOB), CAST(r.message_id AS BLOB),"
         f" CAST(r.created_at AS BLOB), CAST(r.edited_at AS BLOB), CAST({LINK} AS BLOB),"
         " CAST(r.body AS BLOB)")
# domain.exports.RawEntry's fields, one column each, the text ones as bytes.
RAW_ENTRY = (f"r.id, r.participant_id, CAST({AUTHOR} AS BLOB), CAST(r.created_at AS BLOB),"
             f" CAST(r.edited_at AS BLOB), CAST({LINK} AS BLOB), CAST(r.body AS BLOB)")
# Whether a row holds a NUL in a text its CSV line shows through printf, which would end the
# cell there, losing the rest: its author's name or message id (CSV_LINE joins its text on
# whole). Only a damaged row can (the write path drops control characters: domain/display.py
# `clean`); every other control character reaches the line (`LineFormat.suspect`).
CSV_NUL = (f"(instr(CAST({AUTHOR} AS BLOB), x'00') OR instr(CAST(r.message_id AS BLOB), x'00'))")


class LineFormat(NamedTuple):
    """A format SQLite renders a line per response of, and what Python renders again (from
    ENTRY, by the format's reference in domain/exports.py): a line holding bidirectional
    controls, which SQLite cannot isolate, or a damaged row's control characters, which the
    reference drops (`as_text`)."""

    line: str  # the line's SQL (parameters: the thread's prefix, then LINK's four)
    nul: str  # SQL: whether a row holds a NUL its line leaves out (json_quote writes \u0000)
    suspect: Callable[[bytes, int], bool]  # whether some of n lines' bytes may need Python
    render: Callable[[str, Entry], str]  # the reference: a line after its thread's prefix


# json_quote writes a control character as \uXXXX, or \b \f \r, and DEL and C1 controls raw. A
# text that holds a backslash before one of those is suspect too, and rendered again the same.
_JSON_ESCAPES = re.compile(rb"\\u00[01]|\\[bfr]")


def _csv_suspect(data: bytes, lines: int) -> bool:
    # Each line ends in CR LF: any control character but that CR (and tab and newline) is a
    # damaged row's.
    return (c0_controls(data) != lines or has_c1(data)
            or BIDI_BYTES.search(data) is not None)


def _jsonl_suspect(data: bytes, lines: int) -> bool:
    return (b"\x7f" in data or has_c1(data) or _JSON_ESCAPES.search(data) is not None
            or JSON_UNSAFE_BYTES.search(data) is not None)


CSV = LineFormat(CSV_LINE, CSV_NUL, _csv_suspect, lambda prefix, entry: prefix + csv_row(entry))
JSONL = LineFormat(JSONL_LINE, "0", _jsonl_suspect, jsonl_line)

# RawEntry's fields but the text, joined with NUL between them.
RAW_HEAD = (f"r.id || char(0) || r.participant_id || char(0) || {AUTHOR} || char(0) ||"
            f" r.created_at || char(0) || COALESCE(r.edited_at, '') || char(0) || {LINK}")
RAW_HEAD_FIELDS = 6


def entry(row: Sequence[Any]) -> Entry:
    """An Entry from a row of ENTRY, its text fields read as bytes (`as_text`); NULL stays
    None, as Python's sqlite3 reads it."""
    return Entry._make([*row[:2], *(None if value is None else as_text(value)
                                    for value in row[2:])])


def stored_key(value: Any, stored: bytes, what: str) -> Any:
    """A key as read, if it is the stored one (a TEXT value that is not UTF-8 is not: Damaged
    naming `what`)."""
    if isinstance(value, str) and value.encode() != stored:
        key_text(stored, what)  # raises
    return value
