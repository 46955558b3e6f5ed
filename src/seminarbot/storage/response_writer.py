"""Group commit for incoming responses.

A message handed over while the writer is idle is written straight away (after the current
turn of the event loop, so messages handed over together share a commit). Whatever arrives
while a commit is under way waits, and all of it goes into the next commit. So a lone reply is
durable after one commit, and under load the batches grow by themselves, with no timer.

A batch is one transaction on the writer's own connection, in a thread of its own so the event
loop goes on gathering the next batch: one look-up of the prompt posts, one of the authors (new
ones created), their names recorded for the community of the prompt they answer, and one
insert, whose count shows whether any message was stored before (a replay; only then are those
looked up). Posts, authors, names and what refuses their messages are remembered until any
connection changes the tables they come from (response_batch.Known), so an opt-out, a
forget-me or a removed cohort is never answered from memory. Each caller is answered only
after the commit, so an answer means the response is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple, cast

from seminarbot.clock import Clock, to_iso
from seminarbot.domain.errors import Damaged, StorageLost
from seminarbot.domain.responses import Arrival, Outcome
from seminarbot.storage import dbfile
from seminarbot.storage.damage import damaged, read_text, said
from seminarbot.storage.db import Database
from seminarbot.storage.dbfile import BUSY_TIMEOUT_MS, of_the_rows, pragmas, unavailable
from seminarbot.storage.refusals import forget_secret, refuse
from seminarbot.storage.replied import after_what_they_answer, answers
from seminarbot.storage.response_batch import Known, Names, authors, insert, name


class Submission(NamedTuple):  # a tuple: one is made for every message, cheaply
    platform: str
    message_id: str
    author_id: str
    author_name: str
    body: str
    at: datetime
    # Where the message is (its thread) and what it replies to, each with how the message
    # arrived if that one names a prompt post; the first that does counts.
    refs: tuple[tuple[Arrival, str], ...]
    # Where the message is (the platform's channel, thread or room), for links back to it;
    # None where there is no message to link to.
    channel_id: str | None = None
    edited_at: datetime | None = None  # as InboundMessage's
    named_here: bool = True  # as InboundMessage's


# One message and the future of its outcome, or messages handed over together (a list) and the
# future of their outcomes in their order. A lone message is not wrapped in a list: each object
# made per message is more work for the garbage collector, whose pauses are the latency's tail
# under load (benchmarks/ingest_bench.py, p99 from submission: 25 ms, 60-90 ms with a list each).
_One = tuple[Submission, "asyncio.Future[Outcome | None]"]
_Many = tuple[list[Submission], "asyncio.Future[list[Outcome | None]]"]
_Claim = _One | _Many


class ResponseWriter:
    def __init__(self, db: Database, clock: Clock, *, max_batch: int = 1000) -> None:
        self.db, self.path = db, db.path
        self.clock = clock  # retention cut-offs (storage/refusals.py)
        self.identity = db.identity  # checked around each commit (storage.identity)
        self.max_batch = max_batch  # bounds how long one commit holds the write lock
        self._waiting: deque[_Claim] = deque()
        self._writing = False
        self._start_scheduled = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="response-writer")
        self._conn: sqlite3.Connection | None = None
        self._known = Known()
        self._secret: bytes | None = None
        self._scrubbing: asyncio.Future[None] | None = None
        self.batches = 0

    def submit(self, submission: Submission) -> asyncio.Future[Outcome | None]:
        """To await: CREATED or UNCHANGED once committed; None if it answers no prompt of ours
        or its author opted out (then nothing about them is stored). A future, not a
        coroutine: one object fewer for every message of a burst."""
        future: asyncio.Future[Outcome | None] = asyncio.get_running_loop().create_future()
        self._claim((submission, future))
        return future

    async def submit_all(self, submissions: Sequence[Submission]) -> list[Outcome | None]:
        """`submit` for each, in one commit when they fit in a batch (`max_batch`; more are
        split); their outcomes in their order, once all are committed. Raises what a commit
        raised (storage/dbfile.py `unavailable`)."""
        loop = asyncio.get_running_loop()
        parts: list[asyncio.Future[list[Outcome | None]]] = []
        for start in range(0, len(submissions), self.max_batch):  # no commit larger than that
            parts.append(loop.create_future())
            self._claim((list(submissions[start:start + self.max_batch]), parts[-1]))
        outcomes: list[Outcome | None] = []
        for part in await asyncio.gather(*parts, return_exceptions=True):
            if isinstance(part, BaseException):
                raise part
            outcomes += part
        return outcomes

    def _claim(self, claim: _Claim) -> None:
        self._waiting.append(claim)
        self._idle.clear()
        if not self._writing and not self._start_scheduled:
            self._start_scheduled = True
            asyncio.get_running_loop().call_soon(self._start)

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
        # Whole claims, as many as fit in a batch (none is larger: submit_all).
        batch: list[_Claim] = []
        rows: list[Submission] = []
        waiting = self._waiting
        while waiting:
            item = waiting[0][0]
            if isinstance(item, list):
                if rows and len(rows) + len(item) > self.max_batch:
                    break
                rows.extend(item)
            elif len(rows) < self.max_batch:
                rows.append(item)
            else:
                break
            batch.append(waiting.popleft())
        self._writing = True
        work = asyncio.get_running_loop().run_in_executor(self._thread, self._write_batch, rows)
        work.add_done_callback(functools.partial(self._finish, batch))

    def _finish(self, batch: list[_Claim],
                work: asyncio.Future[list[Outcome | Exception | None]]) -> None:
        self._writing = False
        error = work.exception()
        if error is None:
            self.batches += 1
            outcomes, start = work.result(), 0
            for claim in batch:
                if isinstance(claim[0], list):
                    if not claim[1].done():  # else its caller stopped waiting
                        _answer_all(claim, outcomes[start:start + len(claim[0])])
                    start += len(claim[0])
                    continue
                if not claim[1].done():
                    if isinstance(outcome := outcomes[start], Exception):  # no list for one
                        claim[1].set_exception(_failed(claim[0], outcome))
                    else:
                        claim[1].set_result(outcome)
                start += 1
        else:
            mapped = unavailable(error) if isinstance(error, sqlite3.Error) else None
            if mapped is not None:
                mapped.__cause__ = error
                error = mapped
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
        # What arrived during this commit goes next; the callers just answered hand over
        # their next messages meanwhile.
        self._start()
        if self.db.erasures.due and (self._scrubbing is None or self._scrubbing.done()):
            self._scrubbing = asyncio.ensure_future(self.db.scrub())  # one another reader held
            self._scrubbing.add_done_callback(lambda done: done.cancelled() or done.exception())

    # -- in the writer's thread --------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.text_factory = read_text
            for statement in pragmas(BUSY_TIMEOUT_MS):
                conn.execute(statement)
            self._conn = conn
        return self._conn

    def _check(self) -> None:
        """The database's identity (storage.db Database.check_identity); a log found deleted is
        first copied into the file through this connection (as storage.db does through its
        own)."""
        if self.identity is None:
            return
        try:
            self.identity.check()
        except StorageLost:
            if self._conn is not None and self.identity.log_lost:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("PRAGMA wal_checkpoint(FULL)")
            raise

    @dbfile.sqlite_said()  # SQLite's errors, also one quoting a damaged schema
    def _write_batch(self, batch: Sequence[Submission]) -> list[Outcome | Exception | None]:
        self._check()
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._known.check(conn)
            try:
                outcomes: list[Outcome | Exception | None] = list(
                    self._write_rows(conn, batch))
            except Exception as error:
                if not of_the_rows(error):
                    raise
                # One message's rows cannot be written (a damaged row it reads): the batch
                # is written again, each message on its own, and that one is answered with
                # the error. No savepoint guards the whole batch (see response_batch.insert).
                conn.execute("ROLLBACK")
                self._known.forget()
                conn.execute("BEGIN IMMEDIATE")
                outcomes = [self._write_alone(conn, submission) for submission in batch]
            self._known.keep(conn)
            conn.execute("COMMIT")
        except BaseException:
            self._known.forget()  # it may hold authors created by the rolled-back batch
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._check()  # committed to the file we opened, or nobody is told it is saved
        return outcomes

    def _write_alone(self, conn: sqlite3.Connection, submission: Submission
                     ) -> Outcome | Exception | None:
        conn.execute("SAVEPOINT alone")
        try:
            outcome: Outcome | Exception | None = self._write_rows(conn, [submission])[0]
        except Exception as error:
            if not of_the_rows(error):
                raise
            conn.execute("ROLLBACK TO alone")
            self._known.forget()
            outcome = error
        conn.execute("RELEASE alone")
        return outcome

    def _write_rows(self, conn: sqlite3.Connection, batch: Sequence[Submission]
                    ) -> list[Outcome | None]:
        return after_what_they_answer(batch, functools.partial(self._write_pass, conn))

    def _write_pass(self, conn: sqlite3.Connection, batch: Sequence[Submission]
                    ) -> list[Outcome | None]:
        if self._secret is None:
            self._secret = forget_secret(conn)
        written = [to_iso(submission.at) for submission in batch]
        # Refused before their authors are looked up: a refused message creates nobody.
        answering = refuse(conn, self._secret, batch, answers(conn, batch, self._known.posts),
                           written, self.clock.now(), self._known.refusals)
        writers = authors(conn, {(s.platform, s.author_id): s.at
                                 for s, post in zip(batch, answering, strict=True) if post},
                          self._known.authors)
        names: tuple[Names, Names] = ({}, {})  # named here, and names to fall back on
        for s, answer in zip(batch, answering, strict=True):
            author = writers[s.platform, s.author_id] if answer else None
            if answer and author and not author.opted_out:
                names[not s.named_here][author.id, answer[0].community_id] = s.author_name
        name(conn, *names, self._known.names)
        return insert(conn, batch, answering, written, writers)


def _answer_all(claim: _Many, outcomes: list[Outcome | Exception | None]) -> None:
    """The outcomes of messages handed over together. One whose rows could not be written
    because of a damaged row is None (not recorded; said once in the log), and a fault of ours
    fails them all, as it does a message handed over alone."""
    failed = [_failed(submission, outcome) for submission, outcome
              in zip(claim[0], outcomes, strict=True) if isinstance(outcome, Exception)]
    fault = next((error for error in failed if not isinstance(error, Damaged)), None)
    if fault is not None:
        claim[1].set_exception(fault)
        return
    for error in failed:
        said(cast(Damaged, error))
    claim[1].set_result([None if isinstance(o, Exception) else o for o in outcomes])


def _failed(submission: Submission, error: Exception) -> Exception:
    """What a message's caller is told when its rows could not be written."""
    if isinstance(error, sqlite3.IntegrityError):
        return damaged(f"what {submission.platform} message {submission.message_id[:40]} "
                       "answers (its prompt post, cohort or author)", error)
    return error

