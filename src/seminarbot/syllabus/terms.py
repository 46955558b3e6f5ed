"""The terms pass: every candidate term of art in the texts, found by rule, in a fixed order.

Each paragraph of each aligned section is read (headings and image captions are left out) and
yields candidates of these kinds:

- ``russian``: a lowercase word romanized by the Library of Congress rules the texts follow
  (kh, zh, shch, iia, iu, a final soft sign ’, endings such as -nie, -stvo, -ovat’), a Russian
  loanword of the field (kulak, soviet …), or a lowercase gloss of one to three words in
  parentheses straight after a phrase, as in ‘gap’ (otryv);
- ``name``: every capitalised word or run of them away from the start of a sentence, perhaps
  joined by of, on, the, for or de (institutions, documents, people, places, peoples), used once
  or more (a run joined by "and" counts as one name only if it recurs), and acronyms; a
  capitalised word that opens a sentence counts where the texts also capitalise it inside one.
  A month alone is no name;
- ``quoted``: two to five words in quotation marks (the policies, slogans and titles the texts
  quote), or a single lowercase word quoted at least twice;
- ``dated``: a document or event named with its year (the 1936 constitution, the strike of 1962);
- ``formed`` and ``phrase``: common nouns formed as terms are (-ism, -ist, -ization, -cracy,
  -archy, -ariat, -entsia; hyphenated and possessive compounds) and noun phrases the texts
  repeat: see terms_formed.py for the rules and their source;
- ``lexicon``: terms of Soviet politics read in the texts that look like ordinary English
  (the masses, recall, vanguard), which no rule can tell apart.

Keys differing only by a plural ending are one candidate. The same copies always give the same
candidates in the same order; nothing depends on a word list that is not in these files.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from seminarbot.domain.textfold import fold
from seminarbot.syllabus.alignment import heading_like
from seminarbot.syllabus.terms_formed import formed, gerunds, listed, pairs

KINDS = ("russian", "name", "quoted", "dated", "formed", "phrase", "lexicon")
# Russian words the field writes in English without marking them as foreign.
LOANWORDS = frozenset({
    "apparatchik", "bolshevik", "cheka", "commissar", "duma", "glasnost", "gulag", "kolkhoz",
    "komsomol", "kulak", "menshevik", "narodnik", "nomenklatura", "perestroika", "politburo",
    "soviet", "sovkhoz", "sovnarkhoz", "sovnarkom", "stakhanovite", "tsar", "tsarist", "zemstvo",
})
# Terms of Soviet politics read in the texts that no rule can tell from ordinary English: single
# common words and phrases used once (terms_formed.py finds the rest by how terms are formed).
LEXICON = ("all power to the soviets", "executive committee", "foreign intervention", "masses",
           "peace, bread and land", "piece rate", "recall", "vanguard", "voter mandate",
           # Terms of art the rules above miss: Marx's categories, the Party's own words
           "cadres", "democratic exploitation", "labour power", "means of production",
           "mode of production", "praxis", "wither away")
MONTHS = frozenset({"January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December"})
_ROMANIZED = re.compile(r"kh|zh|shch|iia|iu(?!m)|ii$|yv|^vy|nie$|stvo$|ovat$")
_ENGLISH_ENDING = re.compile(r"(ist|ism|ion|ity|ness|ment|ing|ed|ly|al|ive|ous|ful|less|able)$")
_CONNECTORS = frozenset({"of", "on", "the", "for", "and", "de"})
_NOT_A_TERM = frozenset({  # function words: a phrase holding one is prose, not a name
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "he", "in", "is", "it",
    "not", "of", "on", "or", "she", "that", "the", "their", "they", "this", "to", "was", "we",
    "were", "which", "who", "with", "although", "aka", "those", "you"})
_EVENTS = ("constitution|programme|program|plenum|strike|insurrection|rising|revolution|terror"
           "|law|decree|congress|elections|coup")
_YEAR_BEFORE = re.compile(r"\b(1[89]\d\d)\s+((?:[A-Z][a-z]+\s+){0,3}?)((?i:" + _EVENTS + r"))s?\b")
_YEAR_AFTER = re.compile(r"(?:\b([A-Z][a-z]+)\s+)?\b((?i:" + _EVENTS + r"))s?\s+of\s+(1[89]\d\d)\b")
_QUOTED = re.compile(r"“([^“”]{1,80})”|‘([^‘“”]{1,80}?)’(?![A-Za-z])|\"([^\"]{1,80})\"")
_PARENTHESIS = re.compile(r"\(([^()]{1,60})\)(?![A-Za-z])")
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9’'\-]*|[^\sA-Za-zÀ-ÿ0-9]")


@dataclass(frozen=True)
class Candidate:
    key: str  # as shown and matched: lowercase unless a name
    kind: str
    section_id: str  # the first section it was found in
    count: int


@dataclass
class _Found:
    places: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    quoted_words: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, key: str, section_id: str) -> None:
        key = " ".join(key.split()).strip(" -’',")
        if key:
            self.places.setdefault((kind, key), []).append(section_id)


def extract(sections: Iterable[tuple[str, str]]) -> list[Candidate]:
    """Candidates from (section id, section text) pairs, sorted by kind, then key."""
    paragraphs = [(sid, _join_hyphens(p)) for sid, text in sections
                  for p in re.split(r"\n\s*\n", text) if p.strip() and not heading_like(p)]
    lowercase = {w for _, p in paragraphs for w in re.findall(r"[a-z]+", p)}
    inside = {word for _, p in paragraphs for run, initial in _capital_runs(p, lowercase)
              for word in (run[1:] if initial else run)}  # capitalised within a sentence
    found = _Found()
    for section_id, paragraph in paragraphs:
        _read(paragraph, section_id, (lowercase, inside), found)
    return _finish(found)


def _read(paragraph: str, section_id: str, seen: tuple[set[str], set[str]],
          found: _Found) -> None:
    lowercase, inside = seen
    quoted = list(_quoted(paragraph))
    phrases = [p for p in quoted if len(p.split()) > 1]
    for phrase in quoted:
        if len(phrase.split()) == 1:
            found.quoted_words[phrase] += 1
            found.add("quoted-word", phrase, section_id)
        elif len(phrase.split()) <= 5:
            found.add("quoted", phrase, section_id)
    for word in _russian(paragraph, phrases):
        found.add("russian", word, section_id)
    blanked = paragraph
    for phrase in phrases:  # a quoted title is one candidate, not several names
        if phrase[:1].isupper():
            blanked = blanked.replace(phrase, " . ")
    for run, initial in _capital_runs(blanked, lowercase):
        if initial and len(run) > 1 and run[0] not in inside:
            run, initial = _trim(run[1:]), False  # "Yet the Supreme Soviet": the opener goes
        if not run or run[0] in _CONNECTORS or run in (["I"], *([m] for m in MONTHS)):
            continue
        if len(run) > 1 or (len(run[0]) > 1 and run[0].isupper()):  # or an acronym
            found.add("run", " ".join(run), section_id)
        elif not initial:
            found.add("single", run[0], section_id)
    for phrase in _dated(paragraph):
        found.add("dated", phrase, section_id)
    for word in formed(paragraph):
        found.add("formed", word, section_id)
    for pair in pairs(paragraph):
        found.add("pair", pair, section_id)
    for item in (*listed(paragraph), *gerunds(paragraph)):
        found.add("formed", item, section_id)
    folded = f" {fold(paragraph)} "
    for term in LEXICON:
        if re.search(r"\s" + re.escape(fold(term)) + r"(?:s|es)?\s", folded):
            found.add("lexicon", term, section_id)


def _finish(found: _Found) -> list[Candidate]:
    runs = Counter({key: len(where) for (kind, key), where in found.places.items()
                    if kind == "run"})
    kept: list[tuple[str, str, list[str]]] = []
    repeated: Counter[str] = Counter()  # a phrase's uses, singular and plural together
    for (kind, key), where in found.places.items():
        if kind == "pair":
            repeated[_singular_key(key)] += len(where)
    for (kind, key), where in found.places.items():
        if kind == "pair" and repeated[_singular_key(key)] < 2:
            continue
        if kind == "quoted-word" and (found.quoted_words[key] < 2 or not key.islower()):
            continue
        if kind == "run" and " and " in f" {key} " and runs[key] < 2:
            kept += [("name", " ".join(_trim(part.split())), where)
                     for part in key.split(" and ") if part]
            continue
        kept.append(({"single": "name", "run": "name", "quoted-word": "quoted",
                      "pair": "phrase"}.get(kind, kind),
                     key, where))
    merged: dict[str, Candidate] = {}
    for kind, key, where in sorted(kept, key=lambda k: (KINDS.index(k[0]), len(k[1]), k[1])):
        matched = _singular(fold(key), merged)
        old = merged.get(matched)
        if old is None:
            merged[matched] = Candidate(key, kind, where[0], len(where))
        else:
            merged[matched] = Candidate(old.key, old.kind, old.section_id, old.count + len(where))
    return sorted(merged.values(), key=lambda c: (KINDS.index(c.kind), fold(c.key)))


def _singular_key(phrase: str) -> str:
    return re.sub(r"(?<=[a-z]{3})(?:e?s)$", "", phrase)


def _singular(key: str, seen: dict[str, Candidate]) -> str:
    for ending in ("s", "es", "y", "i"):
        if key.endswith(ending) and key[: -len(ending)] in seen:
            return key[: -len(ending)]
    return key


def _join_hyphens(text: str) -> str:
    return re.sub(r"(\w)-\s+([a-z])", r"\1\2", " ".join(text.split()))


def _quoted(paragraph: str) -> Iterator[str]:
    for match in _QUOTED.finditer(paragraph):
        inner = next(group for group in match.groups() if group is not None)
        phrase = " ".join(inner.split()).strip(" ,.;:")
        if not phrase or re.search(r"[.;:!]|\?.", phrase) or "[" in phrase:
            continue
        if phrase[:1].islower() and any(w in _NOT_A_TERM for w in phrase.split()[1:-1]
                                        if w not in ("and", "of", "the", "from", "in")):
            continue
        if phrase[:1].islower():
            yield re.sub(r"^the ", "", phrase.rstrip("?"))
        elif all(w[:1].isupper() or w in _CONNECTORS for w in phrase.split()):
            yield phrase  # a title, such as “What Is To Be Done?”


def looks_russian(word: str) -> bool:
    """Whether a word is Russian romanized as the texts do it, or a Russian loanword."""
    word = word.lower().strip("-’'")
    if not word.isascii() or len(word) < 4:
        return False
    if any(word in (w, w + "s", w + "y", w + "i") for w in LOANWORDS):
        return True
    return not _ENGLISH_ENDING.search(word) and \
        any(_ROMANIZED.search(part) for part in word.split("-") if part)


def _russian(paragraph: str, quoted: list[str]) -> Iterator[str]:
    phrases = [p for p in quoted if p.islower() and any(looks_russian(w) for w in p.split())]
    for match in _PARENTHESIS.finditer(paragraph):
        inner = match.group(1).strip().strip("’'")
        words = inner.split()
        if 1 <= len(words) <= 3 and inner.islower() and re.search(r"\w[’'”]?\s*$",
                                                                   paragraph[: match.start()]) \
                and not any(w.strip("’',") in _NOT_A_TERM for w in words) \
                and not _ENGLISH_ENDING.search(words[-1]):
            phrases.append(inner)
    yield from phrases
    inside = {w for p in phrases for w in p.split()}
    for word in _soft_signs(paragraph):
        if word not in inside:
            yield word
    for token in re.findall(r"[a-z][a-z’'\-]*", paragraph):
        bare = token.strip("’'")
        if bare not in inside and looks_russian(bare) and \
                re.search(r"(?<![A-Za-z’'])" + re.escape(token), paragraph):
            yield bare


def _soft_signs(paragraph: str) -> Iterator[str]:
    """Lowercase words ending in ’ that closes no quotation and is no plural possessive."""
    open_quote = False
    for match in re.finditer(r"‘|(?<=[A-Za-z])[’'](?![A-Za-z])", paragraph):
        if match.group() == "‘":
            open_quote = True
        elif open_quote:
            open_quote = False
        else:
            word = re.findall(r"[A-Za-z\-]+$", paragraph[: match.start()])
            if word and word[0].islower() and not word[0].endswith("s"):
                yield word[0]


def _capital_runs(paragraph: str, lowercase: set[str]) -> Iterator[tuple[list[str], bool]]:
    """Runs of capitalised words (with digits after them), and whether one starts a sentence."""
    tokens = [m.group() for m in _TOKEN.finditer(paragraph)]
    run: list[str] = []
    initial = sentence_start = True
    for index, token in enumerate(tokens):
        possessive = re.search(r"[’']s$", token) is not None
        word = re.sub(r"[’']s$", "", token)
        capital = word[:1].isupper() and not (sentence_start and word.lower() in lowercase)
        if capital or (run and word.isdigit() and len(word) <= 2):
            if not run:
                initial = sentence_start
            run.append(token)
            if possessive and len(run) == 1:  # Gorbachev’s Law …: the owner ends the run
                yield [word], initial
                run = []
        elif run and token in _CONNECTORS and index + 1 < len(tokens) and \
                (tokens[index + 1][:1].isupper() or tokens[index + 1] == "the"):
            run.append(token)
        elif run:
            yield _trim(run), initial
            run = []
        if token[:1].isalpha():  # endnote numbers after a full stop leave it a sentence start
            sentence_start = False
        elif re.fullmatch(r"[.!?…:]", token):
            sentence_start = True
    if run:
        yield _trim(run), initial


def _trim(run: list[str]) -> list[str]:
    """A run without connectors or a month at its ends, or a possessive ’s at its end."""
    while len(run) > 1 and (run[-1] in _CONNECTORS or run[-1] in MONTHS):
        run = run[:-1]
    while len(run) > 1 and run[0] in ("The", *_CONNECTORS):
        run = run[1:]
    return [*run[:-1], re.sub(r"[’']s$", "", run[-1])] if run else run


def _dated(paragraph: str) -> Iterator[str]:
    for match in _YEAR_BEFORE.finditer(paragraph):
        yield f"{match.group(1)} {match.group(2)}{match.group(3).lower()}"
    for match in _YEAR_AFTER.finditer(paragraph):
        name = f"{match.group(1)} " if match.group(1) and match.group(1) != "The" else ""
        yield f"{name}{match.group(2).lower()} of {match.group(3)}"
