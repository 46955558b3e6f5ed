"""Passages of operators' own copies of the texts, searchable through FTS5."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from seminarbot.clock import to_iso
from seminarbot.domain.textfold import search_terms
from seminarbot.storage.db import Database


@dataclass(frozen=True)
class Hit:
    text_id: str
    section_id: str
    excerpt: str


class PassageRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def replace(self, text_id: str, source_name: str, sha256: str,
                      passages: Sequence[tuple[str, str]], now: datetime) -> None:
        """Swap in a new copy of a text in one transaction (the old one goes entirely)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM text_copies WHERE text_id = ?", (text_id,))
            await conn.execute(
                "INSERT INTO text_copies (text_id, source_name, sha256, passages, ingested_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (text_id, source_name, sha256, len(passages), to_iso(now)))
            await conn.executemany(
                "INSERT INTO passages (text_id, section_id, ordinal, body) VALUES (?, ?, ?, ?)",
                [(text_id, section, index, body)
                 for index, (section, body) in enumerate(passages, start=1)])

    async def ingested(self) -> dict[str, str]:
        """text id → the name of the file it came from."""
        rows = await self.db.fetchall("SELECT text_id, source_name FROM text_copies")
        return {row[0]: row[1] for row in rows}

    async def count_by_section(self) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT section_id, COUNT(*) FROM passages GROUP BY section_id")
        return {row[0]: int(row[1]) for row in rows}

    async def search(self, words: str, limit: int = 5) -> list[Hit]:
        terms = search_terms(words)
        if not terms:
            return []
        quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
        for joiner in (" AND ", " OR "):  # all the words if possible, else any of them
            rows = await self.db.fetchall(
                "SELECT p.text_id, p.section_id,"
                " snippet(passages_fts, 0, '«', '»', '…', 28)"
                " FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid"
                " WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts) LIMIT ?",
                (joiner.join(quoted), limit))
            if rows or len(quoted) == 1:
                return [Hit(row[0], row[1], row[2]) for row in rows]
        return []
