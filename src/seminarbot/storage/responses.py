"""Responses keyed by (platform, message id): replays update, edits keep history, deletes mark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.models import ResponseRecord
from seminarbot.storage.db import Database, Row

_COLUMNS = ("id, cohort_id, session_id, prompt_id, participant_id, platform, message_id, body,"
            " created_at, edited_at, deleted_at")


class Outcome(Enum):
    CREATED = "created"
    UNCHANGED = "unchanged"  # a replay of something already recorded
    UPDATED = "updated"
    DELETED = "deleted"
    UNKNOWN = "unknown"  # an edit or delete of a message we never recorded


@dataclass(frozen=True)
class NewResponse:
    cohort_id: int
    outbox_id: int | None
    session_id: str
    prompt_id: str
    participant_id: int
    platform: str
    message_id: str
    body: str
    at: datetime


def _record(row: Row) -> ResponseRecord:
    return ResponseRecord(
        id=row["id"], cohort_id=row["cohort_id"], session_id=row["session_id"],
        prompt_id=row["prompt_id"], participant_id=row["participant_id"],
        platform=row["platform"], message_id=row["message_id"], body=row["body"],
        created_at=parse_instant(row["created_at"]),
        edited_at=parse_instant(row["edited_at"]) if row["edited_at"] else None,
        deleted_at=parse_instant(row["deleted_at"]) if row["deleted_at"] else None,
    )


def without_nul(text: str) -> str:
    """NUL characters are never stored: SQLite's text functions (and so exports) stop at one."""
    return text.replace("\x00", "")


class ResponseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, new: NewResponse) -> Outcome:
        cursor = await self.db.execute(
            "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
            " platform, message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, message_id) DO NOTHING",
            (new.cohort_id, new.outbox_id, new.session_id, new.prompt_id, new.participant_id,
             new.platform, new.message_id, without_nul(new.body), to_iso(new.at)))
        return Outcome.CREATED if cursor.rowcount == 1 else Outcome.UNCHANGED

    async def edit(self, platform: str, message_id: str, body: str, at: datetime) -> Outcome:
        """Keep the previous text in response_edits; a repeated edit event changes nothing."""
        body = without_nul(body)
        row = await self.db.fetchone(
            "SELECT id, body, deleted_at FROM responses WHERE platform = ? AND message_id = ?",
            (platform, message_id))
        if row is None:
            return Outcome.UNKNOWN
        if row["body"] == body or row["deleted_at"] is not None:
            return Outcome.UNCHANGED
        await self.db.execute(
            "INSERT INTO response_edits (response_id, previous_body, replaced_at) VALUES (?, ?, ?)",
            (row["id"], row["body"], to_iso(at)))
        await self.db.execute("UPDATE responses SET body = ?, edited_at = ? WHERE id = ?",
                              (body, to_iso(at), row["id"]))
        return Outcome.UPDATED

    async def delete(self, platform: str, message_id: str, at: datetime) -> Outcome:
        cursor = await self.db.execute(
            "UPDATE responses SET deleted_at = ? WHERE platform = ? AND message_id = ?"
            " AND deleted_at IS NULL", (to_iso(at), platform, message_id))
        if cursor.rowcount == 1:
            return Outcome.DELETED
        exists = await self.db.scalar(
            "SELECT 1 FROM responses WHERE platform = ? AND message_id = ?", (platform, message_id))
        return Outcome.UNCHANGED if exists else Outcome.UNKNOWN

    async def get(self, platform: str, message_id: str) -> ResponseRecord | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM responses WHERE platform = ? AND message_id = ?",
            (platform, message_id))
        return None if row is None else _record(row)

    async def history(self, response_id: int) -> list[tuple[str, datetime]]:
        rows = await self.db.fetchall(
            "SELECT previous_body, replaced_at FROM response_edits WHERE response_id = ?"
            " ORDER BY id", (response_id,))
        return [(row[0], parse_instant(row[1])) for row in rows]

    async def by_participant(self, cohort_id: int, participant_id: int) -> list[ResponseRecord]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM responses WHERE cohort_id = ? AND participant_id = ?"
            " AND deleted_at IS NULL ORDER BY created_at, id", (cohort_id, participant_id))
        return [_record(row) for row in rows]

    async def count_for_prompt(self, cohort_id: int, prompt_id: str) -> tuple[int, int]:
        """(responses, distinct participants) for a prompt, leaving out deleted ones."""
        row = await self.db.fetchone(
            "SELECT COUNT(*), COUNT(DISTINCT participant_id) FROM responses"
            " WHERE cohort_id = ? AND prompt_id = ? AND deleted_at IS NULL",
            (cohort_id, prompt_id))
        assert row is not None
        return int(row[0]), int(row[1])

    async def names_for_prompt(self, cohort_id: int, prompt_id: str) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT p.display_name FROM responses r"
            " JOIN participants p ON p.id = r.participant_id"
            " WHERE r.cohort_id = ? AND r.prompt_id = ? AND r.deleted_at IS NULL"
            " ORDER BY p.display_name", (cohort_id, prompt_id))
        return [row[0] for row in rows]

    async def participants_for_session(self, cohort_id: int, session_id: str) -> int:
        return int(await self.db.scalar(
            "SELECT COUNT(DISTINCT participant_id) FROM responses"
            " WHERE cohort_id = ? AND session_id = ? AND deleted_at IS NULL",
            (cohort_id, session_id)))
