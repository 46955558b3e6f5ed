"""Term look-up: exact after folding, else up to three near matches. People are entries too."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable

from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.domain.textfold import fold

MAX_COMPLETE = 60  # characters of a half-typed query read; longer than any name in the glossary


def _surnames(entry: GlossaryEntry) -> tuple[str, ...]:
    """A person is found by the last word of their Cyrillic and romanized names too (Киров)."""
    if entry.category != "person":
        return ()
    return tuple(name.split()[-1] for name in (entry.original, entry.romanized) if name)


def _pairs(key: str) -> frozenset[str]:
    """The key's letter pairs: a cheap first filter before difflib's ratio."""
    return frozenset(key[i : i + 2] for i in range(len(key) - 1)) or frozenset((key,))


def _folded_names(entry: GlossaryEntry) -> tuple[str, ...]:
    names = (entry.term, *entry.aliases, entry.original or "", entry.romanized or "")
    return tuple(key for key in map(fold, names) if key)


class Glossary:
    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._by_key: dict[str, GlossaryEntry] = {}
        for entry in self.entries:
            for name in (entry.term, entry.id, *entry.aliases, entry.original or "",
                         entry.romanized or "", *_surnames(entry)):
                key = fold(name)
                if key:
                    self._by_key.setdefault(key, entry)
        self._by_pair: dict[str, list[str]] = {}  # letter pair → the keys that have it
        self._pair_count: dict[str, int] = {}
        for key in self._by_key:
            for pair in _pairs(key):
                self._by_pair.setdefault(pair, []).append(key)
            self._pair_count[key] = len(_pairs(key))
        # For autocomplete: each entry's folded names, the entries in the order of their terms.
        self._names = sorted(((entry, _folded_names(entry)) for entry in self.entries),
                             key=lambda pair: fold(pair[0].term))

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
        key = fold(query)
        if not key:
            return []
        ranked: list[GlossaryEntry] = []

        def add(entry: GlossaryEntry) -> None:
            if entry not in ranked:
                ranked.append(entry)

        # Names sharing under a quarter of their letter pairs cannot come near difflib's cutoff
        # in practice; leaving them out keeps the look-up fast as the glossary grows.
        pairs = _pairs(key)
        shared = Counter(name for pair in pairs for name in self._by_pair.get(pair, ()))
        pool = [name for name, count in shared.items()
                if 4 * count >= min(len(pairs), self._pair_count[name])]
        for match in difflib.get_close_matches(key, pool, n=limit * 2, cutoff=0.6):
            add(self._by_key[match])
        for name, entry in self._by_key.items():
            if len(key) >= 3 and (name.startswith(key) or f" {key}" in f" {name}"):
                add(entry)
        return ranked[:limit]

    def complete(self, prefix: str, limit: int = 25) -> list[GlossaryEntry]:
        """Entries with a name (term, alias, Cyrillic or romanized) beginning with what was
        typed, then (from three letters) those with a name containing it; each in the order of
        their terms. It runs on every keystroke, so it never runs the near-match search, and
        reads at most MAX_COMPLETE characters of `prefix`."""
        key = fold(prefix[:MAX_COMPLETE])
        starts: list[GlossaryEntry] = []
        inside: list[GlossaryEntry] = []
        for entry, names in self._names:
            if any(name.startswith(key) for name in names):
                starts.append(entry)
            elif len(key) >= 3 and any(key in name for name in names):
                inside.append(entry)
        return (starts + inside)[:limit]
