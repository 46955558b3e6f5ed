"""A cohort's responses as statistics need them, read in keyset pages by (created_at, id),
along the index responses_by_cohort_age, so each page costs the same however large the cohort
(paging by id alone sorted the whole cohort again for every page: five seconds for 20,000
responses in a database of a million)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple

from seminarbot.domain.display import as_text
from seminarbot.storage.counted import AUTHOR, COUNTS, RESPONSES_AND_AUTHORS
from seminarbot.storage.db import Database
from seminarbot.storage.keyset import position_after

PAGE_SIZE = 500  # bodies are at most 20,000 characters: a page stays under ~10 MB


class StatRow(NamedTuple):
    id: int
    session_id: str
    participant_id: int
    display_name: str
    body: str
    written_at: str


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def rows(self, cohort_id: int,
                   page_size: int = PAGE_SIZE) -> AsyncIterator[list[StatRow]]:
        """Responses that count (storage/counted.py), each with its author's name in the
        cohort's community."""
        async for page in _pages(self.db, cohort_id, page_size):
            yield page


async def _pages(db: Database, cohort_id: int, page_size: int) -> AsyncIterator[list[StatRow]]:
    after: tuple[str, int] = ("", 0)
    while True:
        page = await db.fetch_tuples(
            f"SELECT r.id, r.session_id, r.participant_id, {AUTHOR}, r.body, r.created_at"
            f" FROM {RESPONSES_AND_AUTHORS} WHERE r.cohort_id = ? AND {COUNTS}"
            " AND (r.created_at, r.id) > (?, ?) ORDER BY r.created_at, r.id LIMIT ?",
            (cohort_id, cohort_id, *after, page_size))
        if not page:
            return
        # A damaged row's BLOB where text belongs is read as text (domain/display.py).
        yield [StatRow(*row) if bytes not in map(type, row) else StatRow._make(
            as_text(v) if isinstance(v, bytes) else v for v in row) for row in page]
        if len(page) < page_size:
            return
        last_id, at = page[-1][0], page[-1][5]
        if not isinstance(at, str) or "\ufffd" in at:  # read as stored, or said damaged
            at = await db.scalar("SELECT CAST(created_at AS BLOB) FROM responses WHERE id = ?",
                                 (last_id,))
        after = position_after(after, at, last_id)
