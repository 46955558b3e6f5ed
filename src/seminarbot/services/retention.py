"""The retention sweep, run by the scheduler's loop as housekeeping (see Scheduler.housekeeping)
and at once when a moderator sets a limit.

Each pass deletes responses older than their cohort's retention setting (with their edit
history) and expired forget-me codes, and writes what it deleted to the audit log.
"""

from __future__ import annotations

from datetime import datetime

from seminarbot.clock import to_iso
from seminarbot.domain.models import SYSTEM_ACTOR
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.db import Database
from seminarbot.storage.privacy import PrivacyRepository


class RetentionSweep:
    def __init__(self, db: Database, privacy: PrivacyRepository, audit: AuditLog) -> None:
        self.db = db
        self.privacy = privacy
        self.audit = audit

    async def __call__(self, now: datetime) -> list[tuple[int, int]]:
        """(cohort id, responses deleted) for each cohort that lost any."""
        # Most passes have nothing to do: say so without taking the write lock.
        if not await self.privacy.sweep_due():
            return []
        async with self.db.transaction():
            swept = await self.privacy.sweep(now)
            for done in swept:
                await self.audit.record(
                    at=now, platform=done.platform, actor_id=SYSTEM_ACTOR,
                    actor_name=SYSTEM_ACTOR, action="retention", outcome="ok",
                    cohort_id=done.cohort_id,
                    detail={"responses_deleted": done.responses,
                            "written_before": to_iso(done.written_before)})
        return [(done.cohort_id, done.responses) for done in swept]
