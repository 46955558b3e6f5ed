"""The moderators' audit log: who did what, where, when, and how it ended."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.display import clean
from seminarbot.storage.db import Database


class AuditEntry(NamedTuple):
    at: datetime
    platform: str
    actor_id: str
    actor_name: str
    action: str
    outcome: str
    detail: dict[str, Any]
    cohort_id: int | None


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, *, at: datetime, platform: str, actor_id: str, actor_name: str,
                     action: str, outcome: str, detail: Mapping[str, Any] | None = None,
                     cohort_id: int | None = None, community_id: int | None = None,
                     source_id: str | None = None) -> None:
        """`source_id` is the platform's id for the event behind the entry: an event delivered
        again is audited once. The actor's name is stored without control characters, like
        every name the platforms hand over (domain.responses.clean)."""
        await self.db.execute(
            "INSERT INTO audit_log (at, platform, actor_id, actor_name, community_id, cohort_id,"
            " action, outcome, detail, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, source_id) WHERE source_id IS NOT NULL DO NOTHING",
            (to_iso(at), platform, actor_id, clean(actor_name), community_id, cohort_id, action,
             outcome,
             json.dumps(dict(detail or {}), default=str, ensure_ascii=False, sort_keys=True),
             source_id))

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        rows = await self.db.fetchall(
            "SELECT at, platform, actor_id, actor_name, action, outcome, detail, cohort_id"
            " FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry(parse_instant(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6]),
                           r[7]) for r in rows]
