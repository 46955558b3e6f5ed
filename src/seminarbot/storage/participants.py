"""Participants: one row per platform user."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from seminarbot.clock import to_iso
from seminarbot.domain.models import Participant
from seminarbot.domain.responses import clean
from seminarbot.storage.db import Database


class ParticipantMatch(NamedTuple):
    id: int
    external_id: str
    display_name: str
    opted_out: bool


class ParticipantRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def ensure(self, platform: str, external_id: str, display_name: str,
                     now: datetime) -> Participant:
        await self.db.execute(
            "INSERT INTO participants (platform, external_id, display_name, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id) DO UPDATE SET"
            " display_name = excluded.display_name"
            " WHERE excluded.display_name != participants.display_name",
            (platform, external_id, clean(display_name) or external_id, to_iso(now)))
        found = await self.find(platform, external_id)
        assert found is not None
        return found

    async def find(self, platform: str, external_id: str) -> Participant | None:
        row = await self.db.fetchone(
            "SELECT id, platform, external_id, display_name, opted_out FROM participants"
            " WHERE platform = ? AND external_id = ?", (platform, external_id))
        if row is None:
            return None
        return Participant(row["id"], row["platform"], row["external_id"], row["display_name"],
                           bool(row["opted_out"]))

    async def matching(self, cohort_id: int, wanted: str, *, prefix: bool = False,
                       limit: int = 25) -> list[ParticipantMatch]:
        """The people of one cohort (those with a response in it, deleted ones included) named
        `wanted`: their platform id or, ignoring case, their display name (or, with prefix, a
        display name that begins with it). Nobody outside the cohort is ever returned."""
        of_cohort = ("EXISTS (SELECT 1 FROM responses r WHERE r.participant_id = p.id"
                     " AND r.cohort_id = ?)")
        if prefix:
            pattern = wanted.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = await self.db.fetch_tuples(
                "SELECT p.id, p.external_id, p.display_name, p.opted_out FROM participants p"
                " WHERE lower(p.display_name) LIKE ? ESCAPE '\\' AND " + of_cohort +
                " ORDER BY lower(p.display_name), p.id LIMIT ?", (pattern + "%", cohort_id, limit))
        else:
            rows = await self.db.fetch_tuples(
                "SELECT p.id, p.external_id, p.display_name, p.opted_out FROM participants p"
                " WHERE (p.external_id = ? OR lower(p.display_name) = lower(?)) AND " + of_cohort +
                " ORDER BY p.id LIMIT ?", (wanted, wanted, cohort_id, limit))
        return [ParticipantMatch(r[0], r[1], r[2], bool(r[3])) for r in rows]
