"""Scheduled events: whether a cohort lists its sessions as events, and each event as last sent
to the platform (claimed, with no id, while it is being created)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.clock import parse_instant, to_iso
from seminarbot.storage.db import Database

if TYPE_CHECKING:
    from seminarbot.domain.session_events import Recorded, SessionEvent


class SessionEventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enabled(self, cohort_id: int) -> bool:
        return bool(await self.db.scalar(
            "SELECT enabled FROM scheduled_event_settings WHERE cohort_id = ?", (cohort_id,)))

    async def set_enabled(self, cohort_id: int, enabled: bool, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO scheduled_event_settings (cohort_id, enabled, updated_at)"
            " VALUES (?, ?, ?) ON CONFLICT (cohort_id) DO UPDATE SET"
            " enabled = excluded.enabled, updated_at = excluded.updated_at",
            (cohort_id, int(enabled), to_iso(now)))

    async def cohorts_to_sync(self, now: datetime) -> list[int]:
        """Cohorts listing their sessions, and any with an event still to start or half made
        (to cancel or settle when listing stopped)."""
        rows = await self.db.fetch_tuples(
            "SELECT cohort_id FROM scheduled_event_settings WHERE enabled = 1 UNION"
            " SELECT cohort_id FROM scheduled_events WHERE event_id IS NULL OR start_at > ?"
            " ORDER BY cohort_id", (to_iso(now),))
        return [int(row[0]) for row in rows]

    async def recorded(self, cohort_id: int) -> dict[str, Recorded]:
        rows = await self.db.fetch_tuples(
            "SELECT session_id, event_id, name, description, start_at, end_at"
            " FROM scheduled_events WHERE cohort_id = ?", (cohort_id,))
        from seminarbot.domain.session_events import Recorded, SessionEvent

        return {row[0]: Recorded(SessionEvent(row[0], row[2], row[3], parse_instant(row[4]),
                                              parse_instant(row[5])), row[1])
                for row in rows}

    async def record(self, cohort_id: int, event: SessionEvent, event_id: str | None) -> None:
        """The event as sent; with no id, claimed before it is created (committed first)."""
        await self.db.execute(
            "INSERT INTO scheduled_events (cohort_id, session_id, event_id, name, description,"
            " start_at, end_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (cohort_id, session_id) DO UPDATE SET event_id = excluded.event_id,"
            " name = excluded.name, description = excluded.description,"
            " start_at = excluded.start_at, end_at = excluded.end_at",
            (cohort_id, event.session_id, event_id, event.name, event.description,
             to_iso(event.start), to_iso(event.end)))

    async def forget(self, cohort_id: int, session_id: str) -> None:
        await self.db.execute(
            "DELETE FROM scheduled_events WHERE cohort_id = ? AND session_id = ?",
            (cohort_id, session_id))

    async def forget_all(self, cohort_id: int) -> None:
        await self.db.execute("DELETE FROM scheduled_events WHERE cohort_id = ?", (cohort_id,))
