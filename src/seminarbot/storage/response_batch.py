"""One batch of the response writer, inside its write transaction on the writer's own
connection: which prompt post each message answers, who wrote it (new authors created, their
names recorded for the post's community, opted-out ones left alone), and the rows to insert.

Everything here runs in the writer's thread, on a plain sqlite3 connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from seminarbot.clock import exact, to_iso
from seminarbot.domain.responses import Arrival, Outcome
from seminarbot.storage.damage import damaged
from seminarbot.storage.ids import LARGEST_ROWID, next_id

if TYPE_CHECKING:
    from seminarbot.storage.response_writer import Submission


class Post(NamedTuple):
    id: int
    cohort_id: int
    session_id: str
    prompt_id: str
    community_id: int
    # The cohort's retention: days to keep (None: no limit), and the written-before instant of
    # its latest sweep (ISO text; None: never swept). See storage/refusals.py.
    retention_days: int | None = None
    swept_before: str | None = None
    # Where an answer to it is written: the cohort's channel or room, the post, its thread.
    places: frozenset[str] = frozenset()


# The prompt post a submission answers, and how the submission arrived there.
Answer = tuple[Post, Arrival]


class Author(NamedTuple):
    id: int
    opted_out: bool


Names = dict[tuple[int, int], str]  # (participant id, community id) → their name there
# (platform, user id) → when they were forgotten (None: never), and their opt-out periods
# (start, end; None while it lasts), instants in stored form (storage/refusals.py); None for
# someone neither forgotten nor ever opted out.
Refusals = dict[tuple[str, str],
                tuple[str | None, tuple[tuple[str, str | None], ...]] | None]


INSERT = (
    "INSERT INTO responses (id, cohort_id, outbox_id, session_id, prompt_id, participant_id,"
    " platform, message_id, body, created_at, arrival, channel_id, edited_at, edited_exact)"
    f" VALUES ({next_id('responses')}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (platform, message_id) DO NOTHING")


class Known:
    """Posts, authors, their names and what refuses their messages, as the writer looked them
    up, kept while none of the tables they come from changes (migration 0013's writer_epoch
    counts every change, on any connection): the writer's own changes keep them current."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self.posts: dict[str, Post] = {}
        self.authors: dict[tuple[str, str], Author] = {}
        self.names: Names = {}
        self.refusals: Refusals = {}
        self._epoch: int | None = None

    def check(self, conn: sqlite3.Connection) -> None:
        """Call first inside the write transaction: nobody else can commit until it ends."""
        held = len(self.authors) + len(self.posts) + len(self.names) + len(self.refusals)
        if _epoch(conn) != self._epoch or held > self.LIMIT:
            self.forget()

    def keep(self, conn: sqlite3.Connection) -> None:
        """Call last inside the write transaction: the counter as the writer's own changes
        left it. Call forget() instead if the transaction does not commit."""
        self._epoch = _epoch(conn)

    def forget(self) -> None:
        self.posts.clear()
        self.authors.clear()
        self.names.clear()
        self.refusals.clear()
        self._epoch = None


def _epoch(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT epoch FROM writer_epoch").fetchone()[0])


def plan(batch: Sequence[Submission], answered: Sequence[Answer | None], written: Sequence[str],
         authors: dict[tuple[str, str], Author], stored: set[tuple[str, str]]
         ) -> tuple[list[Outcome | None], list[tuple[object, ...]]]:
    """Each submission's outcome, and the rows to insert for those that are new. `written`
    holds each submission's instant in stored form; `stored` the keys already recorded, and
    gains those planned here (a repeat in one batch is a replay too)."""
    outcomes: list[Outcome | None] = []
    rows: list[tuple[object, ...]] = []
    for submission, answer, at in zip(batch, answered, written, strict=True):
        if answer is None:
            outcomes.append(None)
            continue
        post, arrival = answer
        platform, message_id, author_id, _, body, _, _, channel_id, edited, _ = submission
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
                     platform, message_id, body, at, arrival.value, channel_id,
                     None if edited is None else to_iso(edited),
                     None if edited is None else exact(edited)))
        outcomes.append(Outcome.CREATED)
    return outcomes, rows


def insert(conn: sqlite3.Connection, batch: Sequence[Submission],
           answering: Sequence[Answer | None], written: Sequence[str],
           writers: dict[tuple[str, str], Author]) -> list[Outcome | None]:
    """Insert the rows `plan` makes of the batch; each submission's outcome.

    Most batches hold only new messages: all are inserted (one stored before is left as it
    is: ON CONFLICT DO NOTHING) and counted. Only when the count falls short (a replay) are
    those that were there before looked up: rows no newer than the newest before this insert,
    as SQLite gives a new row a larger rowid than any other until the largest possible one is
    taken (sqlite.org/autoinc.html; where the batch could reach it, they are looked up
    first). No savepoint is needed to
    tell them apart: with one open, SQLite copies every page the batch changes to a statement
    journal (a temporary file) first, a seventh of the ingest's time."""
    keys = [(s.platform, s.message_id) for s, post in zip(batch, answering, strict=True)
            if post]
    newest = int(conn.execute("SELECT max(id) FROM responses").fetchone()[0] or 0)
    near_the_end = LARGEST_ROWID - newest <= len(batch)
    outcomes, rows = plan(batch, answering, written, writers,
                          stored(conn, keys) if near_the_end else set())
    before = conn.total_changes
    conn.executemany(INSERT, rows)
    if conn.total_changes - before != len(rows):
        outcomes, _ = plan(batch, answering, written, writers, stored(conn, keys, newest))
    return outcomes


def answered(submission: Submission, posts: dict[str, Post]) -> Answer | None:
    """The first of the submission's refs that names a prompt post, with how it arrived. A
    message written elsewhere answers none (a Matrix rich reply names any event id, of any
    room: the homeserver checks no m.in_reply_to, and in an encrypted room no relation)."""
    for arrival, ref in submission.refs:
        post = posts.get(ref)
        if post is not None and (submission.channel_id is None
                                 or submission.channel_id in post.places):
            return post, arrival
    return None


# The prompt posts whose message or thread is among {marks} (twice): by the outbox's indexes
# on each (migration 0017), where a scan of every seminar's rows took 65 ms at 800,000.
POSTS = ("SELECT o.id, o.cohort_id, o.session_id, o.item, c.community_id, c.retention_days,"
         " c.swept_before, o.message_id, o.thread_id, c.channel_id FROM outbox o"
         " JOIN cohorts c ON c.id = o.cohort_id"
         " WHERE o.kind = 'prompt' AND (o.message_id IN ({marks}) OR o.thread_id IN ({marks}))")


def posts(conn: sqlite3.Connection, refs: set[str], known: dict[str, Post]
           ) -> dict[str, Post]:
    found = {ref: known[ref] for ref in refs if ref in known}
    for chunk in _chunks(sorted(refs - found.keys())):
        rows = conn.execute(POSTS.format(marks=_marks(len(chunk))), (*chunk, *chunk))
        for row in rows:
            post, places = post_of_row(row), row[7:]
            for ref in places[:2]:  # the post's message id and its thread's
                if ref is not None:
                    found[ref] = known[ref] = post
    return found


def post_of_row(row: tuple[Any, ...]) -> Post:
    """The prompt post a row of `posts` describes, or Damaged naming the value that is not
    what its column holds (another program wrote it, or the file is damaged): a reply to it
    cannot be written, and the replies to every other post are."""
    (outbox_id, cohort_id, session_id, prompt_id, community_id, retention_days,
     swept_before, *places) = row
    for what, value, kind in (
            (f"outbox row {outbox_id}'s cohort_id", cohort_id, int),
            (f"outbox row {outbox_id}'s session_id", session_id, str),
            (f"outbox row {outbox_id}'s item", prompt_id, str),
            (f"cohort {cohort_id}'s community_id", community_id, int)):
        if not isinstance(value, kind):
            raise damaged(what, TypeError(f"it holds {type(value).__name__}"))
    # A sweep instant that is no text refuses nothing, as one that is no instant
    # (refusals.kept_from): it is kept as text that reads as none.
    swept = swept_before if swept_before is None or isinstance(swept_before, str) \
        else repr(swept_before)
    return Post(outbox_id, cohort_id, session_id, prompt_id, community_id, retention_days,
                swept, frozenset(p for p in places if p))


def authors(conn: sqlite3.Connection, first_seen: dict[tuple[str, str], datetime],
            known: dict[tuple[str, str], Author]) -> dict[tuple[str, str], Author]:
    """(platform, user id) → the participant, new ones created (first seen at the time given)."""
    found = {key: known[key] for key in first_seen if key in known}
    found.update(_find_authors(conn, [key for key in first_seen if key not in found]))
    missing = [key for key in first_seen if key not in found]
    if missing:
        conn.executemany(
            "INSERT INTO participants (id, platform, external_id, created_at)"
            f" VALUES ({next_id('participants')}, ?, ?, ?)"
            " ON CONFLICT (platform, external_id) DO NOTHING",
            [(platform, user, to_iso(first_seen[platform, user])) for platform, user in missing])
        found.update(_find_authors(conn, missing))
    known.update(found)
    return found


def name(conn: sqlite3.Connection, names: Names, fallbacks: Names, known: Names) -> None:
    """Record each person's name in a community, where it is not already the one known there;
    a name to fall back on (the platform gave none for that community) only where they have
    none there yet. Call only for authors who have not opted out (nothing new is stored about
    those)."""
    first = [(person, community, shown) for (person, community), shown in fallbacks.items()
             if (person, community) not in names and (person, community) not in known]
    if first:
        conn.executemany(
            "INSERT INTO participant_names (participant_id, community_id, display_name)"
            " VALUES (?, ?, ?) ON CONFLICT (participant_id, community_id) DO NOTHING", first)
    changed = [(person, community, shown) for (person, community), shown in names.items()
               if known.get((person, community)) != shown]
    if changed:
        conn.executemany(
            "INSERT INTO participant_names (participant_id, community_id, display_name)"
            " VALUES (?, ?, ?) ON CONFLICT (participant_id, community_id) DO UPDATE SET"
            " display_name = excluded.display_name"
            " WHERE excluded.display_name != participant_names.display_name", changed)
        known.update(((person, community), shown) for person, community, shown in changed)


def _find_authors(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]
                  ) -> dict[tuple[str, str], Author]:
    rows = by_key(conn, "SELECT external_id, id, opted_out FROM participants"
                         " WHERE platform = ? AND external_id IN ({marks})", keys)
    return {(platform, user): Author(participant_id, bool(opted_out))
            for platform, (user, participant_id, opted_out) in rows}


def stored(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]], newest: int | None = None
           ) -> set[tuple[str, str]]:
    """Which of these messages are already recorded; with `newest`, in rows whose id is at
    most that (None: any)."""
    since = "" if newest is None else f" AND id <= {int(newest)}"
    rows = by_key(conn, "SELECT message_id FROM responses"
                         " WHERE platform = ? AND message_id IN ({marks})" + since, keys)
    return {(platform, message_id) for platform, (message_id,) in rows}


def by_key(conn: sqlite3.Connection, sql: str, keys: Iterable[tuple[str, str]]
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
