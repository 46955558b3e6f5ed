"""The moderators' audit log: who did what, where, when, and how it ended; and what it keeps
of a person who used forget-me: their actions under a pseudonym, no name of theirs anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.display import clean
from seminarbot.storage.db import Database

FORGOTTEN = "[forgotten]"  # in place of a forgotten person's name or id, wherever it was


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

    async def forget(self, platform: str, external_id: str, pseudonym: str,
                     named: Sequence[str], participant_id: int | None) -> None:
        """A forgotten person's entries go under `pseudonym`, and what they typed into those
        refused loses its arguments (their words, not an action of the seminar's); every
        other mention of them (`named`: their id and names) in any entry's detail becomes
        FORGOTTEN, wherever in a value it stands (a name typed as `@name` or in backticks, or
        quoted in a refusal's reason: helper-142), as does an export's scope naming them."""
        await self.db.execute(
            "UPDATE audit_log SET detail = json_set(detail, '$.args', json('{}'))"
            " WHERE platform = ? AND actor_id = ? AND outcome = 'refused'"
            " AND json_valid(detail) AND json_type(detail, '$.args') = 'object'",
            (platform, external_id))
        await self.db.execute(
            "UPDATE audit_log SET actor_id = ?, actor_name = '' WHERE platform = ?"
            " AND actor_id = ?", (pseudonym, platform, external_id))
        names = [name for name in {name.strip() for name in named} if name]
        clauses = " OR ".join("instr(lower(detail), lower(?)) > 0" for _ in names)
        if participant_id is not None:
            clauses += " OR action = 'export'"
        if not clauses:
            return
        pattern = re.compile("(?<!\\w)(?:" + "|".join(re.escape(name) for name in sorted(
            names, key=len, reverse=True)) + ")(?!\\w)", re.IGNORECASE)
        for row_id, stored in await self.db.fetch_tuples(
                f"SELECT id, detail FROM audit_log WHERE {clauses}", names):
            detail = json.loads(stored)
            cleaned = _scrub(detail, pattern)
            scope = cleaned.get("scope") if isinstance(cleaned, dict) else None
            if isinstance(scope, dict) and scope.get("participant") == participant_id:
                scope["participant"] = FORGOTTEN
            if cleaned != detail:
                await self.db.execute("UPDATE audit_log SET detail = ? WHERE id = ?", (
                    json.dumps(cleaned, ensure_ascii=False, sort_keys=True), row_id))


def _scrub(value: Any, names: re.Pattern[str]) -> Any:
    """`value` (a detail, or part of one) with every mention `names` finds made FORGOTTEN; a
    value that is one mention and some spaces is FORGOTTEN alone."""
    if isinstance(value, dict):
        return {key: _scrub(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, names) for item in value]
    if isinstance(value, str):
        return FORGOTTEN if names.fullmatch(value.strip()) else names.sub(FORGOTTEN, value)
    return value

