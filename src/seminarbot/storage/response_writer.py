"""Group commit for incoming responses.

Messages that arrive within a few milliseconds of each other are written in one transaction:
one look-up of their prompt posts, one of their authors, one insert of any new authors and
one insert of the responses. The whole batch runs as one call on a connection of its own in a
thread of its own, so the event loop gathers the next batch meanwhile. Each caller is
answered only after the commit, so an answer means the response is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from seminarbot.clock import to_iso
from seminarbot.core.errors import Busy
from seminarbot.storage.db import BUSY_TIMEOUT_MS, Database
from seminarbot.storage.responses import Outcome


@dataclass(frozen=True)
class Submission:
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


class ResponseWriter:
    def __init__(self, db: Database, *, window: float = 0.002, max_batch: int = 500) -> None:
        self.path = db.path
        self.window = window
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Submission, asyncio.Future[Outcome | None]]] = \
            asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="response-writer")
        self._conn: sqlite3.Connection | None = None
        self.batches = 0

    async def submit(self, submission: Submission) -> Outcome | None:
        """CREATED or UNCHANGED once committed; None if it answers no prompt of ours or its
        author opted out (then nothing about them is stored)."""
        future: asyncio.Future[Outcome | None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((submission, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="response-writer")
        return await future

    async def close(self) -> None:
        """Finish what was submitted (nothing accepted is dropped), then stop."""
        if self._worker is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.close)
            self._conn = None
        self._thread.shutdown(wait=True)

    async def _drain(self) -> None:
        """Gather batches and hand them to the writer's thread. Two may be in flight: while
        one commits, the next is gathered and queued behind it (the thread keeps the order)."""
        in_flight = asyncio.Semaphore(2)
        writes: set[asyncio.Task[None]] = set()
        while not self._queue.empty():
            if self._queue.qsize() < self.max_batch:
                await asyncio.sleep(self.window)  # let whatever is on its way join this commit
            batch: list[tuple[Submission, asyncio.Future[Outcome | None]]] = []
            while not self._queue.empty() and len(batch) < self.max_batch:
                batch.append(self._queue.get_nowait())
            await in_flight.acquire()
            task = asyncio.create_task(self._commit(batch, in_flight))
            writes.add(task)
            task.add_done_callback(writes.discard)
            if self._queue.empty() and writes:
                await asyncio.wait(set(writes), return_when=asyncio.FIRST_COMPLETED)
        if writes:
            await asyncio.wait(set(writes))

    async def _commit(self, batch: list[tuple[Submission, asyncio.Future[Outcome | None]]],
                      in_flight: asyncio.Semaphore) -> None:
        try:
            outcomes = await self._write([submission for submission, _ in batch])
        except Exception as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        finally:
            in_flight.release()
        self.batches += 1
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)

    async def _write(self, batch: list[Submission]) -> list[Outcome | None]:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, self._write_batch, batch)
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise Busy() from error
            raise

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
            outcomes = self._write_rows(conn, batch)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return outcomes

    def _write_rows(self, conn: sqlite3.Connection, batch: Sequence[Submission]
                    ) -> list[Outcome | None]:
        posts = _posts(conn, {ref for s in batch for ref in s.refs})
        people = _participants(conn, [s for s in batch if any(ref in posts for ref in s.refs)])
        rows: list[tuple[object, ...]] = []
        keys: list[tuple[str, str] | None] = []
        seen: set[tuple[str, str]] = set()
        for submission in batch:
            post = next((posts[r] for r in submission.refs if r in posts), None)
            person = people.get((submission.platform, submission.author_id))
            key = (submission.platform, submission.message_id)
            if post is None or person is None or person[1]:
                keys.append(None)
                continue
            keys.append(key)
            if key not in seen:
                seen.add(key)
                rows.append((post.cohort_id, post.id, post.session_id, post.prompt_id,
                             person[0], submission.platform, submission.message_id,
                             submission.body, to_iso(submission.at)))
        created = self._insert(conn, rows)
        outcomes: list[Outcome | None] = []
        for wanted in keys:
            if wanted is None:
                outcomes.append(None)
            elif wanted in created:
                created.discard(wanted)  # a repeat inside the batch is a replay
                outcomes.append(Outcome.CREATED)
            else:
                outcomes.append(Outcome.UNCHANGED)
        return outcomes

    def _insert(self, conn: sqlite3.Connection, rows: Sequence[tuple[object, ...]]
                ) -> set[tuple[str, str]]:
        """Insert new responses; the keys of those that were not there before."""
        created: set[tuple[str, str]] = set()
        for chunk in _chunks(rows, 1000):
            values = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?, ?)" for _ in chunk)
            inserted = conn.execute(
                "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id,"
                f" participant_id, platform, message_id, body, created_at) VALUES {values}"
                " ON CONFLICT (platform, message_id) DO NOTHING RETURNING platform, message_id",
                [value for row in chunk for value in row]).fetchall()
            created.update((row[0], row[1]) for row in inserted)
        return created


def _posts(conn: sqlite3.Connection, refs: set[str]) -> dict[str, _Post]:
    found: dict[str, _Post] = {}
    for chunk in _chunks(sorted(refs)):
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            "SELECT id, cohort_id, session_id, item, message_id, thread_id FROM outbox"
            f" WHERE kind = 'prompt' AND (message_id IN ({marks}) OR thread_id IN ({marks}))",
            (*chunk, *chunk)).fetchall()
        for row in rows:
            post = _Post(row[0], row[1], row[2], row[3])
            for ref in (row[4], row[5]):
                if ref is not None:
                    found[ref] = post
    return found


def _participants(conn: sqlite3.Connection, batch: Sequence[Submission]
                  ) -> dict[tuple[str, str], tuple[int, bool, str]]:
    """New authors are created and renamed ones updated; an opted-out author's row is left
    exactly as it is."""
    names = {(s.platform, s.author_id): (s.author_name, s.at) for s in batch}
    found = _find_participants(conn, sorted(names))
    missing = sorted(key for key in names if key not in found)
    if missing:
        conn.executemany(
            "INSERT INTO participants (platform, external_id, display_name, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id) DO NOTHING",
            [(platform, user, names[(platform, user)][0], to_iso(names[(platform, user)][1]))
             for platform, user in missing])
        found.update(_find_participants(conn, missing))
    renamed = [(names[key][0], found[key][0]) for key in found
               if not found[key][1] and found[key][2] != names[key][0]]
    if renamed:
        conn.executemany("UPDATE participants SET display_name = ? WHERE id = ?", renamed)
    return found


def _find_participants(conn: sqlite3.Connection, keys: Sequence[tuple[str, str]]
                       ) -> dict[tuple[str, str], tuple[int, bool, str]]:
    """(platform, user id) → (participant id, opted out, display name)."""
    found: dict[tuple[str, str], tuple[int, bool, str]] = {}
    for platform, ids in _by_platform(keys).items():
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            rows = conn.execute(
                "SELECT id, external_id, opted_out, display_name FROM participants"
                f" WHERE platform = ? AND external_id IN ({marks})", (platform, *chunk))
            for row in rows:
                found[(platform, row[1])] = (row[0], bool(row[2]), row[3])
    return found


def _by_platform(keys: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for platform, value in keys:
        grouped.setdefault(platform, []).append(value)
    return grouped


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = 400) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
