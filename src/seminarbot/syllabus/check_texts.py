"""Checks of the second edition that need copies of the texts: section lengths, page ranges,
headings, the timeline's and further reading's mentions, and the terms pass."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from seminarbot.domain.glossary import lookup_names
from seminarbot.domain.syllabus import GlossaryEntry, Syllabus
from seminarbot.domain.textfold import contains_term, fold
from seminarbot.syllabus.alignment import Alignment
from seminarbot.syllabus.companion_files import EXCLUDED, READING, TIMELINE
from seminarbot.syllabus.pages import section_pages
from seminarbot.syllabus.problems import Files, Problem, Rules
from seminarbot.syllabus.terms import Candidate, extract


@dataclass(frozen=True)
class Copy:
    """A copy of one text: as read from disk, and aligned with its section map."""

    raw: str
    alignment: Alignment

    def section_texts(self) -> dict[str, str]:
        return {a.section.id: self.alignment.text[a.start : a.end]
                for a in self.alignment.sections}


def text_problems(syllabus: Syllabus, copies: dict[str, Copy], files: Files,
                  rules: Rules) -> Iterator[Problem]:
    for text_id, copy in copies.items():
        yield from _section_problems(syllabus, text_id, copy, files, rules)
    sections = {sid: body for copy in copies.values()
                for sid, body in copy.section_texts().items()}
    folded = {sid: fold(body) for sid, body in sections.items()}
    joined = {sid: re.sub(r"(\w)-\s+([a-z])", r"\1\2", " ".join(body.split()))
              for sid, body in sections.items()}
    yield from _coverage_problems(syllabus, folded, joined, files)
    for event in syllabus.companion.timeline:
        for section_id in event.sections:
            if section_id in folded and not any(contains_term(folded[section_id], m)
                                                for m in event.mentions):
                yield Problem(files.content(TIMELINE), f"events.{event.id}.sections",
                              f"cites {section_id}, where none of its mentions occurs")
    for work in syllabus.companion.works:
        for text_id in work.found_in:
            found = copies.get(text_id)
            if found and work.mention and not contains_term(fold(found.alignment.text),
                                                            work.mention):
                yield Problem(files.content(READING), f"works.{work.id}.mention",
                              f"“{work.mention}” is not in the copy of {text_id}")
    yield from terms_problems(syllabus, extract(sections.items()), files, rules)


def _coverage_problems(syllabus: Syllabus, folded: dict[str, str], raw: dict[str, str],
                     files: Files) -> Iterator[Problem]:
    """Every entry lists every section where its term occurs, and a person's every section
    that names them by any name (its citations are checked with the glossary's). A word
    formed from a name (Marxist, the Trotskyist Left) names a doctrine or a group, not the
    person: their entries have it. A term's aliases are left out here: some are loose (the
    Party, October) and name it only at times."""
    for entry in syllabus.glossary:
        person = entry.category == "person"
        names = [n for n in lookup_names(entry) if n != entry.id] if person else [entry.term]
        for section_id, text in folded.items():
            if section_id in entry.sections:
                continue
            if person or not entry.term[:1].islower():
                found = any(contains_term(text, n) for n in names)
            else:  # as a lowercase word: a soviet is a council, the Soviet Union is not one
                found = re.search(r"(?<![\w’'])" + re.escape(entry.term) + r"(?:s|es)?\b",
                                  raw[section_id]) is not None
            if found:
                file, key = files.entry(entry)
                what = f"names {entry.term}" if person else f"uses “{entry.term}”"
                yield Problem(file, f"{key}.sections", f"leaves out {section_id}, which {what}")


def _section_problems(syllabus: Syllabus, text_id: str, copy: Copy, files: Files,
                      rules: Rules) -> Iterator[Problem]:
    text = syllabus.text(text_id)
    file = files.text(text_id)
    pages = section_pages(text, copy.alignment, copy.raw)
    heading = None
    bodies = copy.section_texts()
    for section in text.sections:
        if section.id not in bodies:
            continue
        body = bodies[section.id]
        key = f"sections.{section.id}"
        count = len(body.split())
        if section.words is not None and \
                abs(section.words - count) > max(10, rules.words_tolerance * count):
            yield Problem(file, f"{key}.words", f"says {section.words}, but the copy has "
                          f"{count} words")
        found = pages.get(section.id)
        stated = (section.locator.pages, section.locator.pages_estimated)
        if found is not None and stated != (str(found), found.estimated):
            shown = f"{found}{' (estimated)' if found.estimated else ''}"
            yield Problem(file, f"{key}.locator.pages", f"the copy's page markers give "
                          f"{shown}; the map says {stated[0]}"
                          f"{' (estimated)' if stated[1] else ''}")
        new_heading = section.locator.heading
        if new_heading and new_heading != heading and \
                not fold(body).startswith(fold(new_heading)):
            yield Problem(file, f"{key}.locator.heading", f"“{new_heading}” does not begin "
                          "the section in the copy: a heading begins its own section")
        heading = new_heading


def covers(key: str, names: set[str]) -> bool:
    """Whether a candidate's folded key is among `names`: as it is, singular or plural, with
    "the" before it, or (for a dated candidate such as "1921 kronstadt insurrection") without
    its year."""
    bases = {key, f"the {key}", " ".join(re.sub(r"\b(?:of )?\d{4}\b", " ", key).split())}
    forms = set()
    for base in bases:
        forms |= {base, base + "s", base + "es"}
        forms |= {base[: -len(end)] for end in ("s", "es", "y", "i") if base.endswith(end)}
    return bool(forms & names)


def _names(entry: GlossaryEntry) -> set[str]:
    return {fold(n) for n in (entry.id.replace("-", " "), *lookup_names(entry))}


def terms_problems(syllabus: Syllabus, candidates: list[Candidate], files: Files,
                   rules: Rules) -> Iterator[Problem]:
    """Every candidate has an entry or an exclusion; every exclusion is still a candidate."""
    excluded = {fold(e.term): e for e in syllabus.companion.exclusions}
    used: set[str] = set()
    told: set[str] = set()  # entries already reported for lacking Cyrillic
    for candidate in candidates:
        key = fold(candidate.key)
        entries = [e for e in syllabus.glossary if covers(key, _names(e))]
        reasons = [k for k in excluded if covers(key, {k})]
        used.update(reasons)
        if not entries and not reasons:
            yield Problem(files.glossary, "terms pass", f"candidate “{candidate.key}” "
                          f"({candidate.kind}, first in {candidate.section_id}) has no entry "
                          f"and no line in {EXCLUDED}")
        for entry in entries:
            russian = entry.origin == "russian" or not rules.origins
            if candidate.kind == "russian" and entry.id not in told and \
                    not (russian and entry.original):
                told.add(entry.id)
                file, entry_key = files.entry(entry)
                yield Problem(file, f"{entry_key}.origin", f"“{candidate.key}” is Russian in "
                              "the texts: the entry's origin is russian, with its Cyrillic")
    for key, exclusion in excluded.items():
        if key not in used:
            yield Problem(files.content(EXCLUDED), f"excluded.{exclusion.term}",
                          "is no longer a candidate in the texts: remove it")
