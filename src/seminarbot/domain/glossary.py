"""Term look-up: exact after folding (a Russian word in any of its forms: `stems`), else up to
three near matches. People are entries too, found by any form of their names (`lookup_names`)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from seminarbot.domain.near import near, one_swap
from seminarbot.domain.romanize import cyrillic_readings, has_cyrillic, library_spelling, romanize
from seminarbot.domain.stems import stemmed
from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.domain.textfold import COMMON, cased, contains_term, fold

MAX_COMPLETE = 60  # characters of a half-typed query read; longer than any name in the glossary
# difflib's ratio a near match needs. At 0.6 a missing term got another one spelled a little
# alike (Malenkov: Kravchenko, Cheka: chistka, nomenclature: enclosure; helper-189's 1), where
# typos score 0.8 or more.
NEAR_CUTOFF = 0.7
_BRITISH = re.compile(r"(?<=[a-z])is(e|ed|es|ing|ation|ations)\b")


def spellings(query: str) -> tuple[str, ...]:
    """The keys `query` may stand for, in the order tried: as folded, with the Library of
    Congress's i for a newspaper's y (perestroyka), with an American z for a British s
    (democratisation), each also without a plural s (soviets); then each without the common
    words at its ends (`the Paris Commune`, `of NEP`: helper-195's 4). Empty for a blank
    query."""
    key = fold(query)
    if not key:
        return ()
    found = dict.fromkeys(form for whole in dict.fromkeys((key, fold(bare(query)))) if whole
                          for form in (whole, library_spelling(whole),
                                       _BRITISH.sub(r"iz\1", whole)))
    return tuple(dict.fromkeys(form for spelling in found
                               for form in (spelling, *([spelling[:-1]] if spelling.endswith("s")
                                                        else []))))


def _stems_of(query: str) -> list[str]:
    """`query`'s stemmed keys (`stems.stemmed`): in Cyrillic as typed, in Latin letters read
    back by either table of `romanize.cyrillic_readings` (Stalina, kulaki, Brežnev)."""
    if has_cyrillic(query):
        readings: tuple[str, ...] = (query,)
    else:
        typed = cased(query)
        readings = (*cyrillic_readings(typed), *cyrillic_readings(library_spelling(typed)))
    return [key for key in dict.fromkeys(map(stemmed, readings)) if key]


def _script(name: str) -> str:
    return "cyrillic" if has_cyrillic(name) else "latin"


def _person_names(names: list[str]) -> list[str]:
    """Every way of writing a person's names, from the parts of those given ("Given
    [Patronymic] Surname"), within one script: the surname alone; given name and surname, with
    or without the patronymic; initials ("V. I. Lenin", "V. Lenin"); surname first ("Lenin,
    Vladimir", "Lenin, V. I.")."""
    parts: dict[str, tuple[set[str], set[str], set[str]]] = {}
    for name in names:
        words = name.split()
        firsts, patronymics, surnames = parts.setdefault(_script(name), (set(), set(), set()))
        surnames.add(words[-1])
        if len(words) > 1:
            firsts.add(words[0])
        if len(words) == 3:
            patronymics.add(words[1])
    latin = parts.get("latin")
    if latin:
        latin[2].update(older for last in list(latin[2]) for older in _older_spellings(last))
    found = []
    for firsts, patronymics, surnames in parts.values():
        for last in sorted(surnames):
            found.append(last)
            for first in sorted(firsts):
                found += [f"{first} {last}", f"{first[0]}. {last}", f"{last}, {first}",
                          f"{last}, {first[0]}."]
                for middle in sorted(patronymics):
                    found += [f"{first} {middle} {last}", f"{first[0]}. {middle[0]}. {last}",
                              f"{last}, {first[0]}. {middle[0]}."]
    return found


def _older_spellings(surname: str) -> list[str]:
    """Spellings of a Russian surname common in older English and in French-influenced
    transliteration, before the Library of Congress system settled: -vich as -vitch
    (Kaganovitch) and a final -ov or -ev as -off or -eff (Molotoff)."""
    older = []
    if surname.endswith("vich"):
        older.append(surname[:-4] + "vitch")
    if surname.endswith(("ov", "ev")):
        older.append(surname[:-1] + "ff")
    return older


def lookup_names(entry: GlossaryEntry) -> tuple[str, ...]:
    """Every name `/term` finds an entry by: its term, id, aliases, Cyrillic and romanized
    forms, and the Library of Congress romanization of any Cyrillic name. A person is found by
    every form of the names given (`_person_names`), so "Iosif Stalin", "J. V. Stalin",
    "Сергей Киров" and "Михаил Горбачев" need no alias of their own."""
    names = [entry.term, *entry.aliases, entry.original or "", entry.romanized or ""]
    names += [romanize(name) for name in names if has_cyrillic(name)]
    names = [name for name in names if name.split()]
    if entry.category == "person":
        names += _person_names(names)
    return tuple(dict.fromkeys([entry.id, *names]))


def _pairs(key: str) -> frozenset[str]:
    """The key's letter pairs: a cheap first filter before difflib's ratio."""
    return frozenset(key[i : i + 2] for i in range(len(key) - 1)) or frozenset((key,))


def _folded_names(entry: GlossaryEntry) -> tuple[str, ...]:
    names = (entry.term, *entry.aliases, entry.original or "", entry.romanized or "")
    return tuple(key for key in map(fold, names) if key)


class Glossary:
    """Its indexes are built on first use, not at start-up: most runs look up no term for a
    while, and building them costs tens of milliseconds (benchmarks/matrix_bench.py)."""

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}

    @functools.cached_property
    def _by_key(self) -> dict[str, GlossaryEntry]:
        by_key: dict[str, GlossaryEntry] = {}
        for entry in self.entries:
            for name in lookup_names(entry):
                key = fold(name)
                if key:
                    by_key.setdefault(key, entry)
        return by_key

    @functools.cached_property
    def _by_stem(self) -> dict[str, list[GlossaryEntry]]:
        """The key of each name in Cyrillic, and its stemmed key (`stems.stemmed`: of the name
        as written, whose й folding would lose) → entries."""
        by_stem: dict[str, list[GlossaryEntry]] = {}
        for entry in self.entries:
            for name in filter(has_cyrillic, lookup_names(entry)):
                for form in filter(None, {fold(name), stemmed(name)}):
                    found = by_stem.setdefault(form, [])
                    if entry not in found:
                        found.append(entry)
        return by_stem

    def _by_form(self, query: str) -> list[GlossaryEntry]:
        """The entries one of whose names in Cyrillic `query` is a form of: in Cyrillic, or in
        Latin letters by either table of `romanize.cyrillic_readings` (Stalina, kulaki, Brežnev)."""
        found: list[GlossaryEntry] = []
        for key in _stems_of(query):
            found += [e for e in self._by_stem.get(key, ()) if e not in found]
        return found

    def _within(self, query: str) -> list[GlossaryEntry]:
        """The entries with a name in Cyrillic that has a form of `query`, in Cyrillic, as one
        of its words (партии: Коммунистическая партия); not of a Latin one, which may be English
        (part: парт)."""
        stems = [f" {key}" for key in _stems_of(query)] if has_cyrillic(query) else []
        return list(dict.fromkeys(entry for key, entries in self._by_stem.items()
                                  if any(stem in f" {key}" for stem in stems)
                                  for entry in entries))

    @functools.cached_property
    def _written(self) -> dict[str, str]:
        """The key of each alias, original and romanized name → the name as written (for near
        matches found by one of them: `near_named`), unless it is words of the term itself."""
        return {fold(name): name for entry in self.entries
                for name in (*entry.aliases, entry.original or "", entry.romanized or "")
                if fold(name) and f" {fold(name)} " not in f" {fold(entry.term)} "}

    @functools.cached_property
    def _by_pair(self) -> dict[str, list[str]]:
        """Letter pair → the keys that have it."""
        by_pair: dict[str, list[str]] = {}
        for key in self._by_key:
            for pair in _pairs(key):
                by_pair.setdefault(pair, []).append(key)
        return by_pair

    @functools.cached_property
    def _pair_count(self) -> dict[str, int]:
        return {key: len(_pairs(key)) for key in self._by_key}

    @functools.cached_property
    def _names(self) -> list[tuple[GlossaryEntry, tuple[str, ...]]]:
        """For autocomplete: each entry's folded names, the entries in the order of their terms."""
        return sorted(((entry, _folded_names(entry)) for entry in self.entries),
                      key=lambda pair: fold(pair[0].term))

    def get(self, entry_id: str) -> GlossaryEntry:
        return self._by_id[entry_id]

    def lookup(self, query: str) -> GlossaryEntry | None:
        for spelling in spellings(query):
            if (found := self._by_key.get(spelling)) is not None:
                return found
        forms = self._by_form(bare(query) or query)
        return forms[0] if len(forms) == 1 else None

    def naming(self, query: str, limit: int = 3) -> list[GlossaryEntry]:
        """Up to `limit` entries whose definition names `query` as whole words (a plural too):
        what to read for a term or person with no entry of its own (Gosplan, Rykov)."""
        key = fold(bare(query))
        if len(key) < 3:
            return []
        return [entry for entry in self.entries
                if contains_term(fold(entry.definition), key)][:limit]

    def near(self, query: str, limit: int = 3) -> list[GlossaryEntry]:
        return [entry for entry, _ in self.near_named(query, limit)]

    def near_named(self, query: str, limit: int = 3) -> list[tuple[GlossaryEntry, str | None]]:
        """Up to `limit` entries near `query`, best first: those it is a Russian form of, one
        swap of letters away, close by difflib's ratio, then those with a name beginning a word
        with it. Each with the name it was found by where that is an alias, original or
        romanized name as written ("Russian populism" for populism), else None."""
        query = bare(query) or query
        key = fold(query)
        if not key or only_common(key):
            return []
        ranked: dict[GlossaryEntry, str | None] = {e: None for e in self._by_form(query)}

        def add(entry: GlossaryEntry, name: str) -> None:
            ranked.setdefault(entry, self._written.get(name))

        # Names sharing under a quarter of their letter pairs cannot come near difflib's cutoff
        # in practice; leaving them out keeps the look-up fast as the glossary grows.
        pairs = _pairs(key)
        shared = Counter(name for pair in pairs for name in self._by_pair.get(pair, ()))
        pool = [name for name, count in shared.items()
                if 4 * count >= min(len(pairs), self._pair_count[name])]
        # A swap of neighbouring letters (`npe` for `nep`) shares few letter pairs with the name
        # in a short one: every name is compared whole, before the pool's near matches.
        swapped = [name for name in self._by_key if one_swap(key, name)]
        for match in [*swapped, *near(key, pool, n=limit * 2, cutoff=NEAR_CUTOFF)]:
            add(self._by_key[match], match)
        words = [form for form in spellings(query) if len(form) >= 3]  # russians: russian
        for name, entry in self._by_key.items():
            if any(name.startswith(form) or f" {form}" in f" {name}" for form in words):
                add(entry, name)
        for entry in self._within(query):
            ranked.setdefault(entry, entry.original)
        return list(ranked.items())[:limit]

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


def only_common(key: str) -> bool:
    """Whether a folded query is words too common to look up and nothing else (`the`, `of
    the`): no entry is near it, and none names it (helper-191's 6)."""
    words = key.split()
    return bool(words) and all(word in COMMON for word in words)


def bare(query: str) -> str:
    """`query` as typed without the common words at its ends (`the Paris Commune`, `the
    советов`, `of NEP`: helper-195's 4, helper-196's 6); "" if it is nothing else."""
    words = query.split()
    while words and fold(words[0]) in COMMON:
        words.pop(0)
    while words and fold(words[-1]) in COMMON:
        words.pop()
    return " ".join(words)
