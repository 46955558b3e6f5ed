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

    async def matching(self, platform: str, wanted: str, *, prefix: bool = False,
                       limit: int = 25) -> list[ParticipantMatch]:
        """Participants on a platform named `wanted`: their platform id or, ignoring case,
        their display name (or, with prefix, a display name that begins with it)."""
        if prefix:
            pattern = wanted.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = await self.db.fetch_tuples(
                "SELECT id, external_id, display_name, opted_out FROM participants"
                " WHERE platform = ? AND lower(display_name) LIKE ? ESCAPE '\\'"
                " ORDER BY lower(display_name), id LIMIT ?", (platform, pattern + "%", limit))
        else:
            rows = await self.db.fetch_tuples(
                "SELECT id, external_id, display_name, opted_out FROM participants"
                " WHERE platform = ? AND (external_id = ? OR lower(display_name) = lower(?))"
                " ORDER BY id LIMIT ?", (platform, wanted, wanted, limit))
        return [ParticipantMatch(r[0], r[1], r[2], bool(r[3])) for r in rows]
