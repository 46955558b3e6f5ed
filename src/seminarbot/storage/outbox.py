"""The post outbox: one row per scheduled post, unique per (cohort, session, kind, item). A
reminder sent again is kind 'reminder:N' for its Nth time (migration 0019), read as a reminder
of round N - 1."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.models import OUTBOX_KINDS, OutboxItem, OutboxState
from seminarbot.storage.damage import read_row, readable, text
from seminarbot.storage.db import Database, Row
from seminarbot.storage.ids import next_id

_COLUMNS = ("id, cohort_id, session_id, kind, item, due_at, state, attempts, message_id,"
            " thread_id, posted_at, last_error, announced")
_AGAIN = re.compile(r"reminder:([2-9]|[1-9][0-9]+)")  # a reminder's second time and after


def reminders(table: str = "") -> str:
    """SQL that holds for a row of every round of a reminder; `table`: the row's alias."""
    kind = f"{table}.kind" if table else "kind"
    return f"({kind} = 'reminder' OR {kind} GLOB 'reminder:*')"


def stored_kind(kind: str, round_: int = 0) -> str:
    """The kind column of a row: a reminder's round after the first is written in it."""
    return f"{kind}:{round_ + 1}" if round_ else kind


def _item(row: Row) -> OutboxItem:
    kind, round_ = row["kind"], 0
    if isinstance(kind, str) and (again := _AGAIN.fullmatch(kind)):
        kind, round_ = "reminder", int(again.group(1)) - 1
    if kind not in OUTBOX_KINDS:
        raise ValueError(f"its kind {str(row['kind'])[:20]!r} is none of "
                         f"{', '.join(OUTBOX_KINDS)}")
    return OutboxItem(
        id=row["id"], cohort_id=row["cohort_id"], session_id=text(row["session_id"]),
        kind=kind, item=text(row["item"]), due_at=parse_instant(row["due_at"]),
        state=OutboxState(row["state"]),
        attempts=row["attempts"], message_id=row["message_id"], thread_id=row["thread_id"],
        posted_at=parse_instant(row["posted_at"]) if row["posted_at"] else None,
        last_error=row["last_error"], round=round_,
        announced=parse_instant(row["announced"]) if row["announced"] else None,
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def schedule(self, cohort_id: int, session_id: str, kind: str,
                       items: Iterable[str], due_at: datetime, round_: int = 0) -> None:
        """Create pending rows, or move rows that are still pending; other rows never change.
        `round_`: a reminder's (OutboxItem.round)."""
        kind = stored_kind(kind, round_)
        await self.db.executemany(
            "INSERT INTO outbox (id, cohort_id, session_id, kind, item, due_at)"
            f" VALUES ({next_id('outbox')}, ?, ?, ?, ?, ?)"
            " ON CONFLICT (cohort_id, session_id, kind, item) DO UPDATE SET"
            " due_at = excluded.due_at, last_error = NULL"
            " WHERE outbox.state = 'pending'",
            [(cohort_id, session_id, kind, item, to_iso(due_at)) for item in items],
        )

    async def drop_pending(self, cohort_id: int, kinds: tuple[str, ...]) -> None:
        """Forget pending rows of these kinds (they are about to be planned afresh)."""
        marks = ", ".join("?" for _ in kinds)
        again = f" OR {reminders()}" if "reminder" in kinds else ""
        # "+state" keeps SQLite on the per-cohort index; the state index would scan every
        # pending row of every cohort.
        await self.db.execute(
            "DELETE FROM outbox WHERE cohort_id = ? AND +state = 'pending'"
            f" AND (kind IN ({marks}){again})", (cohort_id, *kinds))

    async def announce(self, item_id: int, close: datetime) -> None:
        """The close a reminder states, recorded as it is sent (OutboxItem.announced)."""
        await self.db.execute("UPDATE outbox SET announced = ? WHERE id = ?",
                              (to_iso(close), item_id))

    async def for_cohort(self, cohort_id: int) -> list[OutboxItem]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE cohort_id = ? ORDER BY due_at, id", (cohort_id,))
        return readable("outbox", rows, _item)

    async def get(self, item_id: int) -> OutboxItem:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (item_id,))
        if row is None:
            raise KeyError(item_id)
        return read_row("outbox", row, _item)

    async def due(self, now: datetime) -> list[OutboxItem]:
        """Pending rows of active cohorts whose time has come, oldest first."""
        rows = await self.db.fetchall(
            f"SELECT {', '.join('o.' + c.strip() for c in _COLUMNS.split(','))} FROM outbox o"
            " JOIN cohorts c ON c.id = o.cohort_id"
            " WHERE o.state = 'pending' AND o.due_at <= ? AND c.state = 'active'"
            " ORDER BY o.due_at, o.id", (to_iso(now),))
        return readable("outbox", rows, _item)

    async def next_due_at(self, platforms: Iterable[str] | None = None) -> datetime | None:
        """The earliest pending post of an active cohort, optionally only on these platforms.
        Walks the (state, due_at) index in order and stops at the first matching row."""
        sql = ("SELECT o.due_at FROM outbox o JOIN cohorts c ON c.id = o.cohort_id"
               " JOIN communities m ON m.id = c.community_id"
               " WHERE o.state = 'pending' AND c.state = 'active'")
        params: list[str] = []
        if platforms is not None:
            params = sorted(set(platforms))
            sql += f" AND m.platform IN ({', '.join('?' * len(params))})"
        value = await self.db.scalar(sql + " ORDER BY o.due_at LIMIT 1", params)
        return parse_instant(value) if value else None

    async def claimed(self) -> list[OutboxItem]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE state = 'claimed' ORDER BY due_at, id")
        return readable("outbox", rows, _item)

    async def claim(self, item_id: int, now: datetime) -> bool:
        """Pending → claimed, committed before anything is sent. False if someone else has it."""
        cursor = await self.db.execute(
            "UPDATE outbox SET state = 'claimed', claimed_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND state = 'pending'", (to_iso(now), item_id))
        return cursor.rowcount == 1

    async def complete(self, item_id: int, message_id: str, thread_id: str | None,
                       now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET state = 'posted', posted_at = ?, message_id = ?, thread_id = ?,"
            " last_error = NULL WHERE id = ?", (to_iso(now), message_id, thread_id, item_id))

    async def release(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        """A failed send: back to pending at retry_at, or failed for good when None."""
        if retry_at is None:
            await self.db.execute(
                "UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?",
                (error, item_id))
        else:
            await self.db.execute(
                "UPDATE outbox SET state = 'pending', last_error = ?, due_at = ? WHERE id = ?",
                (error, to_iso(retry_at), item_id))

    async def reopen(self, item_ids: list[int]) -> None:
        """Skipped or failed rows become pending again (a moderator asked for them)."""
        await self.db.executemany(
            "UPDATE outbox SET state = 'pending', last_error = NULL"
            " WHERE id = ? AND state IN ('skipped', 'failed')", [(i,) for i in item_ids])

    async def skip_again(self, item_ids: list[int], reason: str) -> None:
        """Skipped rows keep being skipped, for this reason now."""
        await self.db.executemany(
            "UPDATE outbox SET last_error = ? WHERE id = ? AND state = 'skipped'",
            [(reason, i) for i in item_ids])

    async def skip(self, item_id: int, reason: str, *, due_at: datetime | None = None) -> bool:
        """Skip a pending row, saying why; with `due_at`, only if it is still due then.
        False if it was not skipped (no longer pending, or moved meanwhile)."""
        cursor = await self.db.execute(
            "UPDATE outbox SET state = 'skipped', last_error = ?"
            " WHERE id = ? AND state = 'pending' AND (? IS NULL OR due_at = ?)",
            (reason, item_id, *(2 * [None if due_at is None else to_iso(due_at)])))
        return cursor.rowcount > 0

