"""The retention sweep, run by the scheduler's loop as housekeeping (see Scheduler.housekeeping).

Each pass deletes responses older than their cohort's retention setting (with their edit
history) and expired forget-me codes, and writes what it deleted to the audit log.
"""

from __future__ import annotations

from datetime import datetime

from seminarbot.clock import to_iso
from seminarbot.scheduler import SYSTEM_ACTOR
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.db import Database
from seminarbot.storage.privacy import PrivacyRepository


class RetentionSweep:
    def __init__(self, db: Database, audit: AuditLog) -> None:
        self.db = db
        self.audit = audit

    async def __call__(self, now: datetime) -> list[tuple[int, int]]:
        # Most passes have nothing to do: say so without taking the write lock.
        if not await self.db.scalar(
                "SELECT EXISTS (SELECT 1 FROM cohorts WHERE retention_days IS NOT NULL)"
                " OR EXISTS (SELECT 1 FROM forget_requests)"):
            return []
        async with self.db.transaction():
            swept = await PrivacyRepository(self.db).sweep(now)
            platforms = dict(await self.db.fetch_tuples(
                "SELECT c.id, m.platform FROM cohorts c JOIN communities m"
                " ON m.id = c.community_id"))
            for cohort_id, deleted, cutoff in swept:
                await self.audit.record(
                    at=now, platform=platforms.get(cohort_id, ""), actor_id=SYSTEM_ACTOR,
                    actor_name=SYSTEM_ACTOR, action="retention", outcome="ok",
                    cohort_id=cohort_id,
                    detail={"responses_deleted": deleted, "written_before": to_iso(cutoff)})
        return [(cohort_id, deleted) for cohort_id, deleted, _ in swept]
