"""Term look-up: exact after folding, else up to three near matches."""

from __future__ import annotations

from collections.abc import Iterable

from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.domain.textfold import fold


class Glossary:
    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._by_key: dict[str, GlossaryEntry] = {}
        for entry in self.entries:
            for name in (entry.term, entry.id, *entry.aliases, entry.original or ""):
                key = fold(name)
                if key:
                    self._by_key.setdefault(key, entry)

    def get(self, entry_id: str) -> GlossaryEntry:
        return self._by_id[entry_id]

    def lookup(self, query: str) -> GlossaryEntry | None:
        key = fold(query)
        if not key:
            return None
        found = self._by_key.get(key)
        if found is None and key.endswith("s"):
            found = self._by_key.get(key[:-1])  # "soviets" finds "soviet"
        return found

    def near(self, query: str, limit: int = 3) -> list[GlossaryEntry]:
        import difflib  # imported when first needed: it costs memory at start-up

        key = fold(query)
        if not key:
            return []
        ranked: list[GlossaryEntry] = []

        def add(entry: GlossaryEntry) -> None:
            if entry not in ranked:
                ranked.append(entry)

        for match in difflib.get_close_matches(key, self._by_key.keys(), n=limit * 2, cutoff=0.6):
            add(self._by_key[match])
        for name, entry in self._by_key.items():
            if len(key) >= 3 and (name.startswith(key) or f" {key}" in f" {name}"):
                add(entry)
        return ranked[:limit]

    def complete(self, prefix: str, limit: int = 25) -> list[GlossaryEntry]:
        key = fold(prefix)
        if not key:
            return sorted(self.entries, key=lambda e: fold(e.term))[:limit]
        starts = [e for e in self.entries if any(fold(n).startswith(key)
                                                 for n in (e.term, *e.aliases))]
        rest = [e for e in self.near(prefix, limit) if e not in starts]
        return (sorted(starts, key=lambda e: fold(e.term)) + rest)[:limit]
