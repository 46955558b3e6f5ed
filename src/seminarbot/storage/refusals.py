"""What the one write path refuses, whoever hands a message over (a live event, a backfill after
a reconnect, a reconciliation, a replayed sync, a command): a message written

- before its author used forget-me (README: Privacy),
- while its author had opted out, even if they have opted in since (and one first read with
  an edit made then: the text it shows was written then; an edit of a recorded message made
  then is refused by storage/responses.py, by OPTED_OUT_AT),
- before its cohort's retention cut-off: the later of its latest sweep's and now less the days
  it keeps responses (so what a sweep deleted is never recorded again, even after the limit is
  lifted).

A refused message gets no row, and its author no participant record. Instants are compared as
stored (whole seconds, UTC); a message in the same second as a forget-me, an opt-out or a
retention cut-off is refused, one in the same second as an opt-in is not: when in doubt, the
person's latest wish holds.

A forgotten person is known only by `person_key`: a keyed hash (HMAC-SHA-256) of their platform
and platform user id, under a random key kept in the database (migration 0009). It cannot be
turned back into an id; whoever holds the database and a candidate id can test it.

Everything here runs in the response writer's thread, inside its write transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.errors import Damaged
from seminarbot.domain.models import MAX_RETENTION_DAYS
from seminarbot.storage.damage import damaged, said

if TYPE_CHECKING:
    from seminarbot.storage.response_batch import Answer, Post, Refusals
    from seminarbot.storage.response_writer import Submission

_CHUNK = 400  # keys in one IN list
# The opt-out rule for one person (?1 platform, ?2 user id) and one instant (?3, stored form):
# a row when they had opted out then. For an edit of a recorded response (storage/responses.py);
# `_refused` applies the same rule to a batch of new messages.
OPTED_OUT_AT = ("SELECT 1 FROM opt_out_periods WHERE platform = ?1 AND external_id = ?2"
                " AND opted_out_at <= ?3 AND (opted_in_at IS NULL OR ?3 < opted_in_at)")
KEY_BYTES = 32  # forgotten_key.secret (migration 0009: randomblob(32))


def person_key(secret: bytes, platform: str, external_id: str) -> str:
    """The keyed hash a forgotten person is known by."""
    return hmac.new(secret, f"{platform}\x00{external_id}".encode(), hashlib.sha256).hexdigest()


def forget_secret(conn: sqlite3.Connection) -> bytes:
    """The database's key for `person_key` (raises Damaged as `forget_key`)."""
    row = conn.execute("SELECT secret FROM forgotten_key WHERE id = 1").fetchone()
    return forget_key(None if row is None else row[0])


def forget_key(stored: object) -> bytes:
    """The stored key as `person_key` takes it: the 32 random bytes migration 0009 made, or
    Damaged. Anything else (text, a number, a missing row) would hash people under another key,
    and a forgotten person's messages would be recorded again, so it refuses instead."""
    if not isinstance(stored, bytes) or len(stored) != KEY_BYTES:
        raise damaged("the forget-me key (table forgotten_key)", ValueError(
            "its row is missing" if stored is None else f"it is not {KEY_BYTES} bytes"))
    return stored


def kept_from(post: Post, now: datetime) -> str | None:
    """The earliest instant (stored form) a message answering this post may have been written
    at and still be recorded; None when the cohort keeps everything and was never swept."""
    limits = []
    if post.swept_before and _is_instant(post.swept_before):
        limits.append(post.swept_before)
    elif post.swept_before:  # refuses nothing, as a limit in days that cannot be read
        said(damaged(f"cohort {post.cohort_id}'s swept_before", ValueError(
            f"{post.swept_before[:40]!r} is not an instant as stored (YYYY-MM-DDTHH:MM:SSZ)")))
    if post.retention_days is not None:
        try:  # a limit that cannot be read refuses nothing, as it deletes nothing
            days = retention_days(post.cohort_id, post.retention_days)
            limits.append(to_iso(now - timedelta(days=days)))
        except Damaged as error:
            said(error)
    return max(limits) if limits else None


def _is_instant(text: str) -> bool:
    """Whether `text` is an instant as clock.to_iso stores one (a real date and time)."""
    try:
        return to_iso(parse_instant(text)) == text
    except (ValueError, OverflowError):  # not ISO 8601, or past year 9999 in UTC
        return False


def retention_days(cohort_id: int, value: object) -> int:
    """A stored retention limit in days (1 to MAX_RETENTION_DAYS), or Damaged."""
    if not isinstance(value, int) or isinstance(value, bool) \
            or not 1 <= value <= MAX_RETENTION_DAYS:
        raise damaged(f"cohort {cohort_id}'s retention_days",
                      ValueError(f"{str(value)[:40]!r} is not a number of days from 1 to "
                                 f"{MAX_RETENTION_DAYS}"))
    return value


def refuse(conn: sqlite3.Connection, secret: bytes, batch: Sequence[Submission],
           answering: Sequence[Answer | None], written: Sequence[str], now: datetime,
           known: Refusals) -> list[Answer | None]:
    """`answering` with None for every submission the rules above refuse. `written` holds each
    submission's instant in stored form; `known` the records already looked up (None: nothing
    refuses that person), and gains those looked up here."""
    people = {(s.platform, s.author_id) for s, answer in zip(batch, answering, strict=True)
              if answer is not None}
    _look_up(conn, secret, people - known.keys(), known)
    limits: dict[int, str | None] = {}
    kept: list[Answer | None] = []
    for submission, answer, at in zip(batch, answering, written, strict=True):
        if answer is not None:
            post = answer[0]
            if post.id not in limits:
                limits[post.id] = kept_from(post, now)
            limit = limits[post.id]
            record = known[submission.platform, submission.author_id]
            if (limit is not None and at < limit) or (record is not None and (
                    _refused(record, at) or _edited_while_out(record, submission.edited_at))):
                answer = None
        kept.append(answer)
    return kept


def _refused(record: tuple[str | None, tuple[tuple[str, str | None], ...]], at: str) -> bool:
    forgotten_at, periods = record
    return (forgotten_at is not None and at <= forgotten_at) or _within(periods, at)


def _edited_while_out(record: tuple[str | None, tuple[tuple[str, str | None], ...]],
                      edited_at: datetime | None) -> bool:
    """A message first read with an edit made while its author had opted out: the text it
    shows was written then, and the text before it is not to be had."""
    return edited_at is not None and _within(record[1], to_iso(edited_at))


def _within(periods: tuple[tuple[str, str | None], ...], at: str) -> bool:
    return any(start <= at and (end is None or at < end) for start, end in periods)


def _look_up(conn: sqlite3.Connection, secret: bytes, people: set[tuple[str, str]],
             known: Refusals) -> None:
    if people:
        forgotten = _forgotten(conn, secret, people)
        periods = _opt_out_periods(conn, people)
        for person in people:
            record = (forgotten.get(person), tuple(periods.get(person, ())))
            known[person] = record if record[0] is not None or record[1] else None


def _forgotten(conn: sqlite3.Connection, secret: bytes, people: Iterable[tuple[str, str]]
               ) -> dict[tuple[str, str], str]:
    """(platform, user id) → when they were forgotten, for those among `people` who were."""
    by_key = {person_key(secret, *person): person for person in people}
    keys = sorted(by_key)
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        for key, at in conn.execute(
                "SELECT person, forgotten_at FROM forgotten"
                f" WHERE person IN ({', '.join('?' * len(chunk))})", chunk):
            found[by_key[key]] = at
    return found


def _opt_out_periods(conn: sqlite3.Connection, people: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """(platform, user id) → their opt-out periods (start, end; None while it lasts)."""
    by_platform: dict[str, list[str]] = {}
    for platform, user in people:
        by_platform.setdefault(platform, []).append(user)
    found: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for platform, users in by_platform.items():
        for start in range(0, len(users), _CHUNK):
            chunk = users[start:start + _CHUNK]
            for user, opted_out, opted_in in conn.execute(
                    "SELECT external_id, opted_out_at, opted_in_at FROM opt_out_periods"
                    f" WHERE platform = ? AND external_id IN ({', '.join('?' * len(chunk))})",
                    (platform, *chunk)):
                found.setdefault((platform, user), []).append((opted_out, opted_in))
    return found
