"""The SQL that renders one response for export, over `responses r` with its author (`p`, `n`:
storage/counted.py RESPONSES_AND_AUTHORS): its CSV line, its JSON line, its fields as the
transcripts read them, and its link back to the platform in each. Every rendering has a Python
reference in domain/ (`csv_line`, `jsonl_lines`, `Links.response`, the transcripts' `entries`)
that property tests hold it equal to (tests/domain/test_fast_paths.py, test_export_formats.py).

Parameters, in order: a line takes the thread's prefix, then LINK's four (`link_params`); the
field lists take LINK's four.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seminarbot.domain.display import as_text
from seminarbot.domain.exports import (
    FORMULA_LOOKALIKES,
    FORMULA_SIGNS,
    FORMULA_TRIGGERS,
    UNSEEN,
    Entry,
)
from seminarbot.domain.links import SEGMENT_ESCAPES, Links
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


def sql_csv_line(columns: tuple[str, ...], text_cells: frozenset[str],
                 nullable: frozenset[str]) -> str:
    """SQL rendering one CSV line (CRLF-terminated) after a `?` prefix parameter:
    text cells guarded and quoted like `csv_cell` (quotes doubled only where there are any),
    other cells as they are, NULL as empty. One printf builds the line in a single pass."""
    formats, arguments = [], ["?"]
    for column in columns:
        if column in text_cells:
            formats.append('"%s%s"')
            arguments += [sql_formula_guard(column),
                          f"CASE WHEN instr({column}, '\"') THEN replace({column}, '\"', '\"\"')"
                          f" ELSE {column} END"]
        else:
            formats.append("%s")
            arguments.append(f"COALESCE({column}, '')" if column in nullable else column)
    template = "%s" + ",".join(formats)
    return f"printf('{template}' || char(13, 10), {', '.join(arguments)})"


# A response's link (domain/links.py `Links.response`, rendered here): the four parameters
# are the thread's event base (twice), channel base and own link (NULL where a base is unused).
# The CASE keeps SQLite from escaping ids no link uses (`NULL || x` still computes x: the six
# replace() calls were a sixth of a Discord export's SQL), and an id is escaped only if it holds
# a character to escape (each replace() copies its string).
def _sql_segment(column: str) -> str:
    escaped = column
    for char, escape in SEGMENT_ESCAPES:
        escaped = f"replace({escaped}, '{char}', '{escape}')"
    needs = "".join(char for char, _ in SEGMENT_ESCAPES)  # no quote or bracket among them
    return f"CASE WHEN {column} GLOB '*[{needs}]*' THEN {escaped} ELSE {column} END"


LINK = (f"COALESCE(CASE WHEN ? IS NOT NULL THEN ? || {_sql_segment('r.message_id')} END,"
        " ? || r.channel_id || '/' || r.message_id, ?)")


def link_params(links: Links) -> tuple[str | None, str | None, str | None, str]:
    """LINK's parameters for one thread's links."""
    return links.event_base, links.event_base, links.channel_base, links.thread


# A link holds no quote and begins with no formula character (domain/links.py): quoting it is
# all `csv_cell` does to it (bidirectional controls aside, which storage/exports.py handles).
CSV_LINE = sql_csv_line(
    ("r.id", "r.participant_id", AUTHOR, "r.message_id", "r.created_at", "r.edited_at",
     "r.body", f"'\"' || {LINK} || '\"'"),
    frozenset({AUTHOR, "r.message_id", "r.body"}), frozenset({"r.edited_at"}))


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
