"""Rows another program wrote, or a damaged file holds, read as what they hold or said to be
damaged in one sentence (domain.errors.Damaged): a command that needs the row answers with it,
a list leaves the row out and logs it once per process, and nothing stops the other rows (the
scheduler's pass, the other seminars). Text that is not UTF-8 reads as U+FFFD (`read_text`),
except a key read back to find rows by (`key_text`): that is the stored text, or the sentence."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite

from seminarbot.domain.errors import Damaged
from seminarbot.domain.textfold import name_key

if TYPE_CHECKING:
    from seminarbot.storage.db import Database, Row

log = logging.getLogger(__name__)
T = TypeVar("T")
# What parsing a stored value that is not what its column holds raises (a date, an enum, a
# number, text that is bytes).
READ_ERRORS = (ValueError, TypeError, AttributeError, OverflowError)
RESTORE = "Whoever runs the bot can restore a backup."
NOT_UTF8 = ("holds a damaged row: a text value that is not UTF-8 (another program wrote it, or "
            "the file is damaged); `seminarbot db check` lists them")
_said: set[str] = set()


def read_text(value: bytes) -> str:
    """A TEXT value as the bot's connections hand it over (their `text_factory`), bytes that
    are not UTF-8 read as U+FFFD: a damaged row is then read like any other, and where it
    cannot be read as what it holds it is one sentence (`damaged`), where the default decoding
    failed the whole query, and with it every scheduler pass or command that read the row."""
    return value.decode("utf-8", "replace")


def casefold(value: object) -> object:
    """SQL's `casefold(x)` on every connection (storage.db): text as names are compared
    (domain.textfold.name_key: `STRASSE` and `Straße`, a decomposed `émile` and `ÉMILE`, where
    SQLite's lower() folds only ASCII); anything else as it is."""
    return name_key(value) if isinstance(value, str) else value


def segment(value: object) -> object:
    """SQL's `url_segment(x)` on every connection (storage.db): domain.links.url_segment of a
    link's id, given as a BLOB (sqlite3 hands a function no text that is not UTF-8: a damaged
    row's) and read as text as every connection reads it; anything else as it is."""
    from seminarbot.domain.links import url_segment  # not for a scheduler pass's start

    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return url_segment(value) if isinstance(value, str) else value


async def sql_functions(conn: aiosqlite.Connection) -> None:
    """SQL's casefold(x) and url_segment(x) on `conn`, as on every connection of the bot's."""
    for name, function in (("casefold", casefold), ("url_segment", segment)):
        await conn.create_function(name, 1, function, deterministic=True)


async def rows_read(conn: aiosqlite.Connection, sql: str, params: Sequence[Any], *, many: bool,
                    factory: Any) -> list[Any]:
    """The rows of a query (the first only unless `many`), in one trip to the connection's
    thread, made by `factory` (aiosqlite.Row, or None for plain tuples). Text that is not
    UTF-8 (a damaged row) fails Python's fast decoding: the read is made again with it read as
    U+FFFD (`read_text`), where it failed the whole query. The caller holds the connection."""
    conn.row_factory = factory
    try:
        try:
            return await _rows(conn, sql, params, many)
        except sqlite3.OperationalError as error:
            if not str(error).startswith("Could not decode to UTF-8"):
                raise
            conn.text_factory = read_text
            return await _rows(conn, sql, params, many)
    finally:
        conn.row_factory, conn.text_factory = aiosqlite.Row, str


async def _rows(conn: aiosqlite.Connection, sql: str, params: Sequence[Any], many: bool
                ) -> list[Any]:
    if many:
        return list(await conn.execute_fetchall(sql, params))
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
        return [] if row is None else [row]


def damaged(what: str, error: Exception) -> Damaged:
    """The one sentence for `what` ("outbox row 7", "cohort 1's weekdays") that `error`
    could not read."""
    return Damaged(f"{what} cannot be read: it is stored damaged ({str(error)[:80]}); nothing "
                   "was changed", more=(RESTORE,))


def key_text(value: object, what: str) -> str:
    """A stored key read as bytes (CAST … AS BLOB) to find rows by again: its text exactly, or
    Damaged naming `what` ("response 7's created_at") where it is not UTF-8 (a U+FFFD in its
    place would name another key: no rows, or the same rows again)."""
    try:
        return value.decode() if isinstance(value, bytes) else str(value)
    except UnicodeDecodeError as error:
        raise damaged(what, ValueError("it is not UTF-8 text")) from error


def text(value: object) -> str:
    """A TEXT column's value; TypeError for what another program may have put there instead
    (a BLOB, a number)."""
    if not isinstance(value, str):
        raise TypeError(f"it holds {type(value).__name__}, not text")
    return value


def read_row(table: str, row: Row, convert: Callable[[Row], T]) -> T:
    """`convert(row)`, or Damaged naming the table's row (by its id)."""
    try:
        return convert(row)
    except READ_ERRORS as error:
        raise damaged(f"{table} row {row['id']}", error) from error


def readable(table: str, rows: Iterable[Row], convert: Callable[[Row], T]) -> list[T]:
    """What the rows hold, a damaged one left out and logged (once per process)."""
    found = []
    for row in rows:
        try:
            found.append(read_row(table, row, convert))
        except Damaged as error:
            said(error)
    return found


def said(error: Damaged) -> None:
    """Log a damaged row once per process: the scheduler meets it at every pass."""
    if error.message not in _said:
        _said.add(error.message)
        log.warning("%s", error.message)


async def damaged_values(db: Database, limit: int = 100) -> list[str]:
    """A line for each stored value that is not what its column is declared to hold (a BLOB or
    a number where text belongs, text that is not UTF-8, text where an integer belongs), at
    most `limit` per column: what `seminarbot db check` adds to SQLite's own checks, which do
    not look at values. Only text with a byte past ASCII is decoded to know."""
    found: list[str] = []
    tables = await db.fetch_tuples("SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                                   " AND name NOT LIKE 'sqlite_%'")
    for table, sql in tables:
        columns = await db.fetch_tuples(f"PRAGMA table_info(\"{table}\")")
        keys = [f'"{c[1]}"' for c in sorted(columns, key=lambda c: c[5]) if c[5]] or ["rowid"]
        row = " || ', ' || ".join(keys)  # a WITHOUT ROWID table's row is its primary key
        paged = "WITHOUT ROWID" not in sql.upper()
        for _, column, declared, *_ in columns:
            kind = {"TEXT": "text", "INTEGER": "integer"}.get(declared.split()[0].upper()
                                                              if declared else "")
            if kind is None:
                continue
            odd = f"typeof(\"{column}\") NOT IN ('{kind}', 'null')"
            if kind == "text":  # any byte past ASCII (GLOB reads each such byte as one), or
                # a NUL, where GLOB stops reading (what follows it may be anything)
                odd += (f" OR \"{column}\" GLOB '*[^' || char(1) || '-' || char(127) || ']*'"
                        f" OR instr(CAST(\"{column}\" AS BLOB), X'00') > 0")
            query = (f"SELECT {'rowid' if paged else 0}, {row}, typeof(\"{column}\"),"
                     f" CAST(\"{column}\" AS BLOB) FROM \"{table}\" WHERE ({odd})")
            here = 0
            async for key, held, raw in _odd_rows(db, query, paged):
                if held != kind:
                    found.append(f"{table} row {key}: {column} holds {held}, not {kind}")
                elif not _utf8(raw):
                    found.append(f"{table} row {key}: {column} is not UTF-8 text")
                else:
                    continue
                here += 1
                if here == limit:
                    found.append(f"{table}: {column}: more such values not listed")
                    break
    return found


async def _odd_rows(db: Database, query: str, paged: bool
                    ) -> AsyncIterator[tuple[object, str, bytes]]:
    """The candidate rows of `query` (rowid, row, type, bytes), read a thousand at a time by
    rowid where the table has one: valid text past ASCII may come first by the thousand."""
    after = -(2**63)
    while True:
        rows = await db.fetch_tuples(
            query + (" AND rowid > ? ORDER BY rowid LIMIT 1000" if paged else ""),
            (after,) if paged else ())
        for rowid, key, held, raw in rows:
            after = rowid
            yield key, held, raw
        if not paged or len(rows) < 1000:
            return


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True
