"""The latest instant the database has recorded: a post sent or claimed, an audited action, a
cohort changed. A clock behind it (restored from a snapshot, a wrong --clock, the wall clock
stepped back) would have the planner place sessions before what already happened."""

from __future__ import annotations

from datetime import datetime

from seminarbot.clock import parse_instant
from seminarbot.storage.db import Database

_LATEST = ("SELECT max(at) FROM (SELECT max(at) AS at FROM audit_log"
           " UNION ALL SELECT max(posted_at) FROM outbox"
           " UNION ALL SELECT max(claimed_at) FROM outbox"
           " UNION ALL SELECT max(updated_at) FROM cohorts)")


async def latest_recorded(db: Database) -> datetime | None:
    """The latest stored instant (UTC), or None for an empty database."""
    value = await db.scalar(_LATEST)
    return parse_instant(value) if value else None
