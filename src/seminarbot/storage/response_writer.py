"""Group commit for incoming responses.

Messages that arrive within a few milliseconds of each other are written in one transaction:
one look-up of their prompt posts, one of their authors, one insert of the new authors and
one `executemany` of the responses. Each caller is answered only after the commit, so an
answer means the response is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from seminarbot.clock import to_iso
from seminarbot.storage.db import Database
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
    def __init__(self, db: Database, *, window: float = 0.002, max_batch: int = 2000) -> None:
        self.db = db
        self.window = window
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Submission, asyncio.Future[Outcome | None]]] = \
            asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
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

    async def _drain(self) -> None:
        while not self._queue.empty():
            batch = [self._queue.get_nowait()]
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.window
            while len(batch) < self.max_batch:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
                while not self._queue.empty() and len(batch) < self.max_batch:
                    batch.append(self._queue.get_nowait())
            try:
                outcomes = await self._write([submission for submission, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            self.batches += 1
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)

    async def _write(self, batch: Sequence[Submission]) -> list[Outcome | None]:
        async with self.db.transaction():
            posts = await self._posts({ref for s in batch for ref in s.refs})
            people = await self._participants(
                [s for s in batch if any(ref in posts for ref in s.refs)])
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
            created = await self._insert(rows)
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

    async def _insert(self, rows: Sequence[tuple[object, ...]]) -> set[tuple[str, str]]:
        """Insert new responses; the keys of those that were not there before."""
        created: set[tuple[str, str]] = set()
        for chunk in _chunks(rows, 1000):
            values = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?, ?)" for _ in chunk)
            inserted = await self.db.fetchall(
                "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id,"
                f" participant_id, platform, message_id, body, created_at) VALUES {values}"
                " ON CONFLICT (platform, message_id) DO NOTHING RETURNING platform, message_id",
                [value for row in chunk for value in row])
            created.update((row[0], row[1]) for row in inserted)
        return created

    async def _posts(self, refs: set[str]) -> dict[str, _Post]:
        found: dict[str, _Post] = {}
        for chunk in _chunks(sorted(refs)):
            marks = ", ".join("?" for _ in chunk)
            rows = await self.db.fetchall(
                "SELECT id, cohort_id, session_id, item, message_id, thread_id FROM outbox"
                f" WHERE kind = 'prompt' AND (message_id IN ({marks}) OR thread_id IN ({marks}))",
                (*chunk, *chunk))
            for row in rows:
                post = _Post(row[0], row[1], row[2], row[3])
                for ref in (row[4], row[5]):
                    if ref is not None:
                        found[ref] = post
        return found

    async def _participants(self, batch: Sequence[Submission]
                            ) -> dict[tuple[str, str], tuple[int, bool, str]]:
        """New authors are created and renamed ones updated; an opted-out author's row is
        left exactly as it is."""
        names = {(s.platform, s.author_id): (s.author_name, s.at) for s in batch}
        found = await self._find_participants(sorted(names))
        missing = sorted(key for key in names if key not in found)
        if missing:
            await self.db.executemany(
                "INSERT INTO participants (platform, external_id, display_name, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id) DO NOTHING",
                [(platform, user, names[(platform, user)][0], to_iso(names[(platform, user)][1]))
                 for platform, user in missing])
            found.update(await self._find_participants(missing))
        renamed = [(names[key][0], found[key][0]) for key in found
                   if not found[key][1] and found[key][2] != names[key][0]]
        if renamed:
            await self.db.executemany(
                "UPDATE participants SET display_name = ? WHERE id = ?", renamed)
        return found

    async def _find_participants(self, keys: Sequence[tuple[str, str]]
                                 ) -> dict[tuple[str, str], tuple[int, bool, str]]:
        """(platform, user id) → (participant id, opted out, display name)."""
        found: dict[tuple[str, str], tuple[int, bool, str]] = {}
        for platform, ids in _by_platform(keys).items():
            for chunk in _chunks(ids):
                marks = ", ".join("?" for _ in chunk)
                rows = await self.db.fetchall(
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
