"""Transcript rows rendered by SQLite: each response's head (author, local times, link, id) as
Markdown or HTML, so that Python only quotes or escapes the texts (domain/transcript_pages.py).

Local times come from a TEMP table of UTC hours (`LocalHours`): what each hour reads as
locally, worked out in Python with zoneinfo (`hour_parts`), filled for the hours each thread
spans. A row is left to Python (its head is its id) when its author's name needs escaping or
a stamp is not a plain `YYYY-MM-DDTHH:MM:SSZ` in an hour of the table; a page holding a
bidirectional control, or a NUL, is read again as raw rows (storage/exports.py `RawPage`).
Without the table (a connection that cannot make one) the raw rows are read, as before.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

from seminarbot.domain.display import BIDI_BYTES
from seminarbot.domain.errors import Unavailable
from seminarbot.domain.exports import ExportScope, RawEntry, RawPage
from seminarbot.domain.links import Links
from seminarbot.domain.transcript_pages import RenderedPage
from seminarbot.storage.counted import AUTHOR, RESPONSES_AND_AUTHORS
from seminarbot.storage.db import Database
from seminarbot.storage.export_lines import LINK, RAW_ENTRY, link_params
from seminarbot.storage.exports import _ID_OFFSET, ExportReader, ThreadKey, _Page, _page_query

_STAMP = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'"
HOURS_SPAN_LIMIT = 24 * 400  # hours filled per thread at most; later rows are left to Python
EDIT_MARGIN = timedelta(days=2)  # hours filled after a thread's last response, for its edits
_tables = itertools.count(1)


def _row_source() -> str:
    """The columns the heads are written from, each computed once (LINK takes its four
    parameters here), then the page's FROM … LIMIT (the `tail` placeholder)."""
    return (f"SELECT r.id AS id, {LINK} AS link, r.created_at AS at, r.edited_at AS edited,"
            f" r.body AS body, CASE WHEN a.author IS {AUTHOR} THEN a.shown END AS shown,"
            " w.day AS w_day, w.clocks AS w_clocks, w.name AS w_name,"
            " e.day AS e_day, e.clocks AS e_clocks, e.name AS e_name{tail}")


def _local(column: str, hours: str) -> str:
    """The local text of a stamp (domain/schedule.py LocalStamps: day, HH:MM, zone): the
    clock is the hour's table of minutes 00-99, five bytes each."""
    return (f"{hours}_day || substr({hours}_clocks, 5 * substr({column}, 15, 2) + 1, 5)"
            f" || {hours}_name")


def _guarded(head: str) -> str:
    """The head, or the row's id where Python renders the row."""
    return (f"CASE WHEN w_day IS NOT NULL AND shown IS NOT NULL AND at GLOB {_STAMP}"
            " AND (COALESCE(edited, '') = '' OR"
            f" (e_day IS NOT NULL AND edited GLOB {_STAMP}))"
            f" THEN {head} ELSE CAST(id AS TEXT) END")


def _edited(text: str) -> str:
    return f"CASE WHEN COALESCE(edited, '') = '' THEN '' ELSE ' · edited ' || {text} END"


def _markdown_head() -> str:
    written = _local("at", "w")
    return _guarded(
        "char(10) || '**' || shown || '** · ' || CASE WHEN link <> '' THEN '[' || "
        f"{written} || '](<' || link || '>)' ELSE {written} END ||"
        f" {_edited(_local('edited', 'e'))} || ' · #' || id || char(10) || char(10)")


def _html_time(column: str, hours: str) -> str:
    return f"'<time datetime=\"' || {column} || '\">' || {_local(column, hours)} || '</time>'"


def _html_link() -> str:
    """domain/markup.py html_escape_bytes of the link (one test first: links rarely need it)."""
    escaped = "link"
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
                         ("''", "&#x27;")):
        escaped = f"replace({escaped}, '{char}', '{entity}')"
    return f"CASE WHEN link GLOB '*[&<>\"'']*' THEN {escaped} ELSE link END"


def _html_head() -> str:
    written = _html_time("at", "w")
    return _guarded(
        "'<article id=\"r' || id || '\">' || char(10) || '<p class=\"by\"><b>' || shown ||"
        f" '</b> · ' || CASE WHEN link <> '' THEN '<a href=\"' || {_html_link()} ||"
        f" '\" rel=\"noreferrer\">' || {written} || '</a>' ELSE {written} END ||"
        f" {_edited(_html_time('edited', 'e'))} || '</p>' || char(10) ||"
        " '<div class=\"text\">'")


HEADS = {"markdown": _markdown_head(), "html": _html_head()}


class RenderTables:
    """Two TEMP tables for one export, named for it alone (exports running at once on the
    bot's connection do not share them); `drop` when done.

    - hours: what each UTC hour reads as locally (`parts`, domain/transcript_pages.py
      hour_parts), filled for the hours each thread spans;
    - names: each author's name as the format writes it (`name`, the transcript's own
      rendering), filled from the rows left to Python, keyed by participant and kept only
      while their name is the same."""

    def __init__(self, db: Database, parts: Callable[[str], tuple[str, int, str] | None],
                 name: Callable[[bytes, bytes], bytes]) -> None:
        self.db, self.parts, self.name = db, parts, name
        number = next(_tables)
        self.hours, self.names = f"temp.export_hours_{number}", f"temp.export_names_{number}"
        self.filled: set[str] = set()

    async def create(self) -> bool:
        """Make the tables; False if this connection cannot (then read raw rows)."""
        try:
            await self.db.execute(
                f"CREATE TABLE {self.hours} (hour TEXT PRIMARY KEY, day TEXT NOT NULL,"
                " clocks BLOB NOT NULL, name TEXT NOT NULL) WITHOUT ROWID")
            await self.db.execute(f"CREATE TABLE {self.names} (participant_id INTEGER"
                                  " PRIMARY KEY, author TEXT NOT NULL, shown TEXT NOT NULL)")
        except (sqlite3.Error, Unavailable):
            await self.drop()
            return False
        return True

    async def drop(self) -> None:
        for table in (self.hours, self.names):
            with contextlib.suppress(sqlite3.Error, Unavailable):
                await self.db.execute(f"DROP TABLE IF EXISTS {table}")

    async def cover(self, cohort_id: int, key: ThreadKey) -> None:
        """Fill the hours from a thread's first response to two days after its last."""
        one = ("SELECT created_at FROM responses WHERE cohort_id = ? AND session_id = ?"
               " AND prompt_id = ? AND outbox_id IS ? ORDER BY created_at")
        thread = (cohort_id, key.session_id, key.prompt_id, key.outbox_id)
        ((first, last),) = await self.db.fetch_tuples(
            f"SELECT ({one} LIMIT 1), ({one} DESC LIMIT 1)", (*thread, *thread))
        try:
            hour = datetime.strptime(str(first)[:13], "%Y-%m-%dT%H")
            end = datetime.strptime(str(last)[:13], "%Y-%m-%dT%H") + EDIT_MARGIN
        except ValueError:
            return  # not stamps this table can describe: every row is left to Python
        rows = []
        for _ in range(HOURS_SPAN_LIMIT):
            if hour > end:
                break
            name = f"{hour.year:04d}-{hour.month:02d}-{hour.day:02d}T{hour.hour:02d}"
            if name not in self.filled:
                self.filled.add(name)
                parts = self.parts(name)
                if parts is not None:
                    day, start, zone = parts
                    clocks = "".join(f"{(start + m) // 60:02d}:{(start + m) % 60:02d}"
                                     for m in range(100))
                    rows.append((name, day, clocks.encode(), " " + zone))
            hour += timedelta(hours=1)
        await self.db.executemany(f"INSERT OR IGNORE INTO {self.hours} VALUES (?, ?, ?, ?)",
                                  rows)

    async def learn(self, rows: Iterable[RawEntry]) -> None:
        """Remember how the authors of rows left to Python are written."""
        names = {int(row[1]): (row[2].decode(), self.name(row[2], row[1]).decode())
                 for row in rows}
        await self.db.executemany(f"INSERT OR REPLACE INTO {self.names} VALUES (?, ?, ?)",
                                  [(pid, *shown) for pid, shown in names.items()])


async def rendered_entries(reader: ExportReader, tables: RenderTables, form: str, cohort_id: int,
                           key: ThreadKey, scope: ExportScope, links: Links
                           ) -> AsyncGenerator[RenderedPage | RawPage, None]:
    """Pages of one thread's rows with their heads rendered for `form` (markdown, html); a
    page SQLite cannot render as a whole (bidirectional controls, a NUL) as raw rows."""
    await tables.cover(cohort_id, key)
    joins = (f" LEFT JOIN {tables.names} a ON a.participant_id = r.participant_id"
             f" LEFT JOIN {tables.hours} w ON w.hour = substr(r.created_at, 1, 13)"
             f" LEFT JOIN {tables.hours} e ON e.hour = substr(r.edited_at, 1, 13)")
    tail, params = _page_query(cohort_id, key, scope, joins)
    params = [*link_params(links), *params]
    sql = ("SELECT count(*), CAST(group_concat(head, char(0)) AS BLOB),"
           " CAST(group_concat(body, char(0)) AS BLOB),"
           f" max(at || ({_ID_OFFSET} + id)) FROM (SELECT {HEADS[form]} AS head, body, at, id"
           f" FROM ({_row_source().format(tail=tail)}))")
    one_by_one = f"SELECT {RAW_ENTRY}{tail}"

    async def read(after: tuple[str, int], size: int) -> _Page[RenderedPage | RawPage]:
        ((rows, heads, texts, last),) = await reader.db.fetch_tuples(
            sql, (*params, *after, size))
        heads, texts = heads or b"", texts or b""
        split = heads.split(b"\0")
        page: RenderedPage | RawPage
        if rows and (len(split) != rows or texts.count(b"\0") != rows - 1
                     or BIDI_BYTES.search(heads) or BIDI_BYTES.search(texts)):
            page = RawPage(_raw(await reader.db.fetch_tuples(
                one_by_one, (*params, *after, size))))
        else:
            left = await _rows(reader.db, cohort_id,
                               [int(head) for head in split if head[:1].isdigit()], links)
            await tables.learn(left.values())
            page = RenderedPage(split if rows else [], texts, left)
        position = (last[:-19], int(last[-19:]) - _ID_OFFSET) if last else None
        return _Page(rows, position, len(texts), page)

    async with aclosing(reader._paged(read)) as pages:
        async for page in pages:
            yield page.payload


async def _rows(db: Database, cohort_id: int, ids: list[int], links: Links
                ) -> dict[bytes, RawEntry]:
    """Raw rows by id (as ASCII digits), for the rows SQLite left to Python."""
    found: dict[bytes, RawEntry] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await db.fetch_tuples(
            f"SELECT {RAW_ENTRY} FROM {RESPONSES_AND_AUTHORS}"
            f" WHERE r.id IN ({', '.join('?' * len(chunk))})",
            (*link_params(links), cohort_id, *chunk))
        found.update((row[0], row) for row in _raw(rows))
    return found


def _raw(rows: list[tuple[Any, ...]]) -> list[RawEntry]:
    """RAW_ENTRY rows as `RawEntry`: every field UTF-8."""
    return [(str(i).encode(), str(p).encode(), name.encode(), at.encode(),
             (edited or "").encode(), link.encode(), text)
            for i, p, name, at, edited, link, text in rows]
