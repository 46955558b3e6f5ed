"""Moderators' "post this session now", kept until the session is out (see
scheduling.post_now): a process that dies half-way leaves the request behind for the next."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from seminarbot.clock import parse_instant, to_iso
from seminarbot.storage.damage import READ_ERRORS, damaged, said, text
from seminarbot.storage.db import Database


class PostRequest(NamedTuple):
    cohort_id: int
    session_id: str
    requested_by: str  # the moderator's display name
    requested_at: datetime


class PostRequestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, request: PostRequest) -> None:
        await self.db.execute(
            "INSERT INTO post_requests (cohort_id, session_id, requested_by, requested_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (cohort_id, session_id) DO UPDATE SET"
            " requested_by = excluded.requested_by, requested_at = excluded.requested_at",
            (request.cohort_id, request.session_id, request.requested_by,
             to_iso(request.requested_at)))

    async def remove(self, cohort_id: int, session_id: str) -> None:
        await self.db.execute(
            "DELETE FROM post_requests WHERE cohort_id = ? AND session_id = ?",
            (cohort_id, session_id))

    async def all(self) -> list[PostRequest]:
        rows = await self.db.fetchall(
            "SELECT cohort_id, session_id, requested_by, requested_at FROM post_requests"
            " ORDER BY requested_at")
        found = []
        for row in rows:  # a damaged one is left out, and logged once (storage/damage.py)
            try:
                found.append(PostRequest(row[0], text(row[1]), text(row[2]),
                                         parse_instant(row[3])))
            except READ_ERRORS as error:
                said(damaged(f"the post request of cohort {row[0]}", error))
        return found
