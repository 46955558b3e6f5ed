"""The moderators' audit log: who did what, where, when, and how it ended; and what it keeps
of a person who used forget-me: their actions under a pseudonym, no name of theirs anywhere."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from seminarbot.clock import parse_instant, to_iso
from seminarbot.core.redaction import redact
from seminarbot.domain.display import clean
from seminarbot.storage.db import Database
from seminarbot.storage.mentions import FORGOTTEN, core, scrubbed


class AuditEntry(NamedTuple):
    at: datetime
    platform: str
    actor_id: str
    actor_name: str
    action: str
    outcome: str
    detail: dict[str, Any]
    cohort_id: int | None


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, *, at: datetime, platform: str, actor_id: str, actor_name: str,
                     action: str, outcome: str, detail: Mapping[str, Any] | None = None,
                     cohort_id: int | None = None, community_id: int | None = None,
                     source_id: str | None = None) -> None:
        """`source_id` is the platform's id for the event behind the entry: an event delivered
        again is audited once. The actor's name is stored without control characters, like
        every name the platforms hand over (domain.responses.clean). Every text in `detail` is
        stored redacted as a log line is (core.redaction): a token or code typed into a
        command's arguments (helper-147) is no more kept in the database than in the log."""
        await self.db.execute(
            "INSERT INTO audit_log (at, platform, actor_id, actor_name, community_id, cohort_id,"
            " action, outcome, detail, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, source_id) WHERE source_id IS NOT NULL DO NOTHING",
            (to_iso(at), platform, clean(actor_id), clean(actor_name), community_id, cohort_id,
             action,
             outcome,
             json.dumps(_redacted(dict(detail or {})), default=str, ensure_ascii=False,
                        sort_keys=True),
             source_id))

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        rows = await self.db.fetchall(
            "SELECT at, platform, actor_id, actor_name, action, outcome, detail, cohort_id"
            " FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry(parse_instant(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6]),
                           r[7]) for r in rows]

    async def forget(self, platform: str, external_id: str, pseudonym: str,
                     named: Sequence[str], participant_id: int | None) -> int:
        """A forgotten person's entries go under `pseudonym`, and what they typed into those
        refused loses its arguments (their words, not an action of the seminar's). Where an
        entry names them, that becomes FORGOTTEN: a `participant` argument that found them
        (noted as `participant_id` then, whatever name it was typed as) or that is one of
        `named` (their id and names, typed as `@name`, in backticks …) and what the entry's
        reason quotes of such a command's arguments, a `requested_by` that is one of them,
        and an export's scope. Only those: a word that is also their name elsewhere (a zone,
        a file, another's name, another argument) stays (helper-143). Returns how many entries
        naming them lost the name."""
        await self.db.execute(
            "UPDATE audit_log SET detail = json_remove(json_set(detail, '$.args', json('{}')),"
            " '$.person_at', '$.person_words')"
            " WHERE platform = ? AND actor_id = ? AND outcome = 'refused'"
            " AND json_valid(detail) AND json_type(detail, '$.args') = 'object'",
            (platform, external_id))
        await self.db.execute(
            "UPDATE audit_log SET actor_id = ?, actor_name = '' WHERE platform = ?"
            " AND actor_id = ?", (pseudonym, platform, external_id))
        cores = {key for key in (core(name) for name in named) if key}
        known = frozenset({core(str(row[0])) for row in await self.db.fetch_tuples(
            "SELECT display_name FROM participant_names UNION SELECT external_id"
            " FROM participants")} | cores)
        rows = await self.db.fetch_tuples(
            "SELECT id, detail FROM audit_log WHERE json_valid(detail) AND ("
            " json_extract(detail, '$.args.participant') IS NOT NULL"
            " OR json_extract(detail, '$.args.line') IS NOT NULL"
            " OR json_extract(detail, '$.person_words') IS NOT NULL"
            " OR json_extract(detail, '$.requested_by') IS NOT NULL"
            " OR json_extract(detail, '$.scope.participant') IS NOT NULL)")
        mentions = 0
        for row_id, stored in rows:
            detail = json.loads(stored)
            if not isinstance(detail, dict):
                continue
            cleaned = scrubbed(detail, cores, named, participant_id, known)
            if cleaned != detail:
                mentions += 1
                await self.db.execute("UPDATE audit_log SET detail = ? WHERE id = ?", (
                    json.dumps(cleaned, ensure_ascii=False, sort_keys=True), row_id))
        return mentions

__all__ = ["FORGOTTEN", "AuditEntry", "AuditLog"]
