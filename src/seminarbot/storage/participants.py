"""Participants: one row per platform user."""

from __future__ import annotations

from datetime import datetime

from seminarbot.clock import to_iso
from seminarbot.domain.models import Participant
from seminarbot.storage.db import Database


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
            (platform, external_id, display_name, to_iso(now)))
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
