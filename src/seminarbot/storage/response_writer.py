"""Group commit for incoming responses.

A message handed over while the writer is idle is written straight away (after the current
turn of the event loop, so messages handed over together share a commit). Whatever arrives
while a commit is under way waits, and all of it goes into the next commit. So a lone reply is
durable after one commit, and under load the batches grow by themselves, with no timer.

A batch is one transaction on the writer's own connection, in a thread of its own so the event
loop goes on gathering the next batch: one look-up of the prompt posts, one of the authors (new
ones created, renamed ones updated) and one insert, whose count shows whether any message was
stored before (a replay; only then are those looked up). Posts and authors found are
remembered until any other connection commits (SQLite's data_version tells), so an opt-out, a
forget-me or a removed cohort is never answered from memory. Each caller is answered only
after the commit, so an answer means the response is durable.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from seminarbot.clock import to_iso
from seminarbot.core.errors import Busy
from seminarbot.storage.db import BUSY_TIMEOUT_MS, Database, is_lock_error
from seminarbot.storage.responses import Outcome


class Submission(NamedTuple):  # a tuple: one is made for every message, cheaply
    platform: str
    message_id: str
    author_id: str
    author_name: str
    body: str
    at: datetime
    refs: tuple[str, ...]  # thread id, replied-to message id: either may name a prompt post


@dataclass(frozen=True)
class _Post:
    id: int
    cohort_id: int
    session_id: str
    prompt_id: str


@dataclass(frozen=True)
class _Author:
    id: int
    opted_out: bool
    name: str


_Waiting = tuple[Submission, "asyncio.Future[Outcome | None]"]
_INSERT = (
    "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
    " platform, message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (platform, message_id) DO NOTHING")


class ResponseWriter:
    def __init__(self, db: Database, *, max_batch: int = 1000) -> None:
        self.path = db.path
        self.max_batch = max_batch  # bounds how long one commit holds the write lock
        self._waiting: list[_Waiting] = []
        self._writing = False
        self._start_scheduled = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="response-writer")
        self._conn: sqlite3.Connection | None = None
        self._known = _Known()
        self.batches = 0

    async def submit(self, submission: Submission) -> Outcome | None:
        """CREATED or UNCHANGED once committed; None if it answers no prompt of ours or its
        author opted out (then nothing about them is stored)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome | None] = loop.create_future()
        self._waiting.append((submission, future))
        self._idle.clear()
        if not self._writing and not self._start_scheduled:
            self._start_scheduled = True
            loop.call_soon(self._start)
        return await future

    async def close(self) -> None:
        """Finish what was submitted (nothing accepted is dropped), then stop."""
        await self._idle.wait()
        if self._conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.close)
            self._conn = None
        self._thread.shutdown(wait=True)

    def _start(self) -> None:
        self._start_scheduled = False
        if self._writing:
            return
        if not self._waiting:
            self._idle.set()
            return
        batch = self._waiting[: self.max_batch]
        del self._waiting[: self.max_batch]
        self._writing = True
        work = asyncio.get_running_loop().run_in_executor(
            self._thread, self._write_batch, [submission for submission, _ in batch])
        work.add_done_callback(functools.partial(self._finish, batch))

    def _finish(self, batch: list[_Waiting],
                work: asyncio.Future[list[Outcome | None]]) -> None:
        self._writing = False
        error = work.exception()
        if error is None:
            self.batches += 1
            for (_, future), outcome in zip(batch, work.result(), strict=True):
                if not future.done():
                    future.set_result(outcome)
        else:
            if isinstance(error, sqlite3.OperationalError) and is_lock_error(error):
                busy = Busy()
                busy.__cause__ = error
                error = busy
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
        # What arrived during this commit goes next; the callers just answered hand over
        # their next messages meanwhile.
        self._start()

    # -- in the writer's thread --------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._conn = conn
        return self._conn

    def _write_batch(self, batch: Sequence[Submission]) -> list[Outcome | None]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._known.check(conn)
            outcomes = self._write_rows(conn, batch)
        except BaseException:
            self._known.forget()  # it may hold authors created by the rolled-back batch
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return outcomes

    def _write_rows(self, conn: sqlite3.Connection, batch: Sequence[Submission]
                    ) -> list[Outcome | None]:
        posts = _posts(conn, {ref for submission in batch for ref in submission.refs},
                       self._known.posts)
        answered = [_answered(submission, posts) for submission in batch]
        authors = _authors(conn, {(s.platform, s.author_id): (s.author_name, s.at)
                                  for s, post in zip(batch, answered, strict=True) if post},
                           self._known.authors)
        # Most batches hold only new messages: insert them all and count. Only when the
        # count falls short (a replay) look up which were stored and write the rest.
        outcomes, rows = _plan(batch, answered, authors, set())
        conn.execute("SAVEPOINT fresh")
        before = conn.total_changes
        self._insert(conn, rows)
        if conn.total_changes - before != len(rows):
            conn.execute("ROLLBACK TO fresh")
            stored = _stored(conn, [(s.platform, s.message_id)
                                    for s, post in zip(batch, answered, strict=True) if post])
            outcomes, rows = _plan(batch, answered, authors, stored)
            self._insert(conn, rows)
        conn.execute("RELEASE fresh")
        return outcomes

    def _insert(self, conn: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
        conn.executemany(_INSERT, rows)


class _Known:
    """Posts and authors the writer has looked up, kept while no other connection commits:
    the writer's own changes keep them current, and anything else may have changed them."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self.posts: dict[str, _Post] = {}
        self.authors: dict[tuple[str, str], _Author] = {}
        self._version: int | None = None

    def check(self, conn: sqlite3.Connection) -> None:
        """Call inside the write transaction: nobody else can commit until it ends."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version or len(self.authors) + len(self.posts) > self.LIMIT:
            self.forget()
            self._version = version

    def forget(self) -> None:
        self.posts.clear()
        self.authors.clear()
        self._version = None


def _plan(batch: Sequence[Submission], answered: Sequence[_Post | None],
          authors: dict[tuple[str, str], _Author], stored: set[tuple[str, str]]
          ) -> tuple[list[Outcome | None], list[tuple[object, ...]]]:
    """Each submission's outcome, and the rows to insert for those that are new. `stored`
    holds the keys already recorded, and gains those planned here (a repeat in one batch is
    a replay too)."""
    outcomes: list[Outcome | None] = []
    rows: list[tuple[object, ...]] = []
    for submission, post in zip(batch, answered, strict=True):
        if post is None:
            outcomes.append(None)
            continue
        platform, message_id, author_id, _, body, at, _ = submission
        author = authors.get((platform, author_id))
        if author is None or author.opted_out:
            outcomes.append(None)
            continue
        key = (platform, message_id)
        if key in stored:
            outcomes.append(Outcome.UNCHANGED)
            continue
        stored.add(key)
        rows.append((post.cohort_id, post.id, post.session_id, post.prompt_id, author.id,
                     platform, message_id, body, to_iso(at)))
        outcomes.append(Outcome.CREATED)
    return outcomes, rows


def _answered(submission: Submission, posts: dict[str, _Post]) -> _Post | None:
    for ref in submission.refs:
        post = posts.get(ref)
        if post is not None:
            return post
    return None


def _posts(conn: sqlite3.Connection, refs: set[str], known: dict[str, _Post]
           ) -> dict[str, _Post]:
    found = {ref: known[ref] for ref in refs if ref in known}
    for chunk in _chunks(sorted(refs - found.keys())):
        marks = _marks(len(chunk))
        rows = conn.execute(
            "SELECT id, cohort_id, session_id, item, message_id, thread_id FROM outbox"
            f" WHERE kind = 'prompt' AND (message_id IN ({marks}) OR thread_id IN ({marks}))",
            (*chunk, *chunk))
        for row in rows:
            post = _Post(row[0], row[1], row[2], row[3])
            for ref in (row[4], row[5]):
                if ref is not None:
                    found[ref] = known[ref] = post
    return found


def _authors(conn: sqlite3.Connection, names: dict[tuple[str, str], tuple[str, datetime]],
             known: dict[tuple[str, str], _Author]) -> dict[tuple[str, str], _Author]:
    """(platform, user id) → the participant: new authors are created and renamed ones
    updated; an opted-out author's row is left exactly as it is."""
    found = {key: known[key] for key in names if key in known}
    found.update(_find_authors(conn, [key for key in names if key not in found]))
    missing = [key for key in names if key not in found]
    if missing:
        conn.executemany(
            "INSERT INTO participants (platform, external_id, display_name, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id) DO NOTHING",
            [(platform, user, names[platform, user][0], to_iso(names[platform, user][1]))
             for platform, user in missing])
        found.update(_find_authors(conn, missing))
    renamed = [key for key, author in found.items()
               if not author.opted_out and author.name != names[key][0]]
    if renamed:
        conn.executemany("UPDATE participants SET display_name = ? WHERE id = ?",
                         [(names[key][0], found[key].id) for key in renamed])
        for key in renamed:
            found[key] = _Author(found[key].id, False, names[key][0])
    known.update(found)
    return found


def _find_authors(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]
                  ) -> dict[tuple[str, str], _Author]:
    rows = _by_key(conn, "SELECT external_id, id, opted_out, display_name FROM participants"
                         " WHERE platform = ? AND external_id IN ({marks})", keys)
    return {(platform, user): _Author(participant_id, bool(opted_out), name)
            for platform, (user, participant_id, opted_out, name) in rows}


def _stored(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these messages are already recorded."""
    rows = _by_key(conn, "SELECT message_id FROM responses"
                         " WHERE platform = ? AND message_id IN ({marks})", keys)
    return {(platform, message_id) for platform, (message_id,) in rows}


def _by_key(conn: sqlite3.Connection, sql: str, keys: Iterable[tuple[str, str]]
            ) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(platform, row) for `sql`, which takes a platform and an IN list ({marks}), run for
    each platform's keys a chunk at a time."""
    for platform, values in _by_platform(keys).items():
        for chunk in _chunks(values):
            for row in conn.execute(sql.format(marks=_marks(len(chunk))), (platform, *chunk)):
                yield platform, row


def _by_platform(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for platform, value in keys:
        grouped.setdefault(platform, []).append(value)
    return grouped


def _marks(count: int) -> str:
    return ", ".join(["?"] * count)


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = 500) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
