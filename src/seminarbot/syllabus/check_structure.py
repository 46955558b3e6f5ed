"""Checks of the second edition's content that need no copy of the texts: prompt modes,
section lengths, Cyrillic and its romanization, people, the timeline, further reading, roles
and the exclusions of the terms pass."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from seminarbot.domain.companion import CALENDAR_CHANGE, JULIAN_LAG_DAYS, parse_date
from seminarbot.domain.glossary import lookup_names
from seminarbot.domain.romanize import has_cyrillic, romanize
from seminarbot.domain.syllabus import GlossaryEntry, Syllabus
from seminarbot.domain.textfold import fold
from seminarbot.syllabus.companion_files import EXCLUDED, READING, ROLES, TIMELINE
from seminarbot.syllabus.problems import Files, Problem, Rules
from seminarbot.syllabus.russian_forms import romanized_name, russian_by_identification


def structure_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    for name in rules.required_files:
        if name not in syllabus.companion.present:
            yield Problem(files.content(name), "", "is missing (the content check requires it)")
    yield from _prompt_problems(syllabus, files, rules)
    if rules.section_words:
        for text in syllabus.texts:
            for section in text.sections:
                if section.words is None:
                    yield Problem(files.text(text.id), f"sections.{section.id}.words",
                                  "is missing: give the section's length in words")
    for entry in syllabus.glossary:
        yield from _entry_problems(entry, files, rules)
    yield from _timeline_problems(syllabus, files, rules)
    yield from _companion_problems(syllabus, files, rules)


def _prompt_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    fewest, most = rules.written_per_session
    for session in syllabus.plan.sessions:
        file = files.prompts(session.id)
        for prompt in session.prompts:
            key = f"prompts.{prompt.id}"
            if prompt.mode is None and rules.prompt_modes:
                yield Problem(file, f"{key}.mode", "is missing: say written or discussion")
            elif prompt.mode == "written" and prompt.suggested_words is None:
                yield Problem(file, f"{key}.suggested_words",
                              "is missing: a written prompt says how many words it asks for")
            elif prompt.mode == "discussion" and prompt.suggested_words is not None:
                yield Problem(file, f"{key}.suggested_words",
                              "is given, but the prompt is for discussion, not writing")
        written = sum(1 for p in session.prompts if p.mode == "written")
        if not fewest <= written <= most:
            yield Problem(file, "prompts", f"session {session.id} has {written} written "
                          f"prompts; expected {fewest} to {most}")


def _entry_problems(entry: GlossaryEntry, files: Files, rules: Rules) -> Iterator[Problem]:
    file, key = files.entry(entry)
    yield from _origin_problems(entry, file, key, rules)
    if entry.original:
        latin = romanize(entry.original)
        names = {fold(n) for n in (entry.term, *entry.aliases, entry.romanized or "") if n}
        if not has_cyrillic(entry.original):
            yield Problem(file, f"{key}.original", f"“{entry.original}” is not Cyrillic")
        elif rules.romanization and fold(latin) not in names:
            yield Problem(file, f"{key}.original", f"romanizes to “{latin}” (Library of "
                          "Congress), which is neither the term, an alias nor `romanized`")
    if entry.category != "person":
        return
    if not re.fullmatch(r"\d{3,4}–\d{3,4}", entry.life or ""):
        yield Problem(file, f"{key}.life", f"expected years as 1886–1934, got {entry.life!r}")
    words = len(entry.definition.split())
    if words > rules.identification_words or re.search(r"[.!?]\s+[A-Z]", entry.definition):
        yield Problem(file, f"{key}.identification", f"has {words} words; expected one "
                      f"sentence of at most {rules.identification_words}")


def _origin_problems(entry: GlossaryEntry, file: str, key: str,
                     rules: Rules) -> Iterator[Problem]:
    """Every term and person of Russian or Soviet origin gives its Russian form: the entry says
    where it comes from (`origin`), and what the rest of the entry shows must agree with it:
    Cyrillic, a `romanized` form, a name romanized by its form or a person's identification
    (russian_forms.py gives the rules and their source)."""
    if entry.origin is None and rules.origins:
        yield Problem(file, f"{key}.origin", "is missing: say russian (a term or name of "
                      "Russian or Soviet origin) or western")
    shown = _russian_evidence(entry) if rules.origins or entry.category == "russian-term" \
        else None
    russian = entry.origin == "russian" or shown is not None
    if russian and not entry.original:
        yield Problem(file, f"{key}.original", "is missing: a term or name of Russian or "
                      "Soviet origin gives its Russian form in Cyrillic")
    if entry.origin == "western" and shown is not None:
        yield Problem(file, f"{key}.origin", f"is western, but {shown}")


def _russian_evidence(entry: GlossaryEntry) -> str | None:
    """Why the entry is of Russian or Soviet origin whatever its `origin` says, or None."""
    names = (entry.term, *entry.aliases)
    word = next((w for w in map(romanized_name, names) if w), None)
    if entry.category == "russian-term" or word:
        return f"“{word or entry.term}” is a Russian word: say russian and give its Cyrillic"
    if entry.original and has_cyrillic(entry.original):
        return "it gives a Russian form in Cyrillic, as only terms and people of Russian or " \
            "Soviet origin do: say russian, or remove the Cyrillic"
    if entry.romanized:
        return "it gives a romanized Russian form: say russian and give its Cyrillic"
    if entry.category == "person" and russian_by_identification(entry.definition):
        return "the identification places them in Russia or the Soviet Union (it opens with " \
            "no nationality from outside them): say russian and give the Cyrillic, or say " \
            "where they come from"
    return None


def _day(value: str) -> date | None:
    parsed = parse_date(value)
    if parsed is None or parsed[1] is None or parsed[2] is None:
        return None
    return date(parsed[0], parsed[1], parsed[2])


def _timeline_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    file = files.content(TIMELINE)
    low, high = rules.timeline_years
    previous = ""
    for event in syllabus.companion.timeline:
        key = f"events.{event.id}"
        if not low <= int(event.date[:4]) <= high:
            yield Problem(file, f"{key}.date", f"is outside {low}–{high}")
        if event.date < previous:
            yield Problem(file, f"{key}.date", f"comes before the event listed above it "
                          f"({previous}): keep the timeline in order")
        previous = event.date
        if event.until and event.until < event.date:
            yield Problem(file, f"{key}.until", "is before the event's date")
        day = _day(event.date)
        if day is not None and day < CALENDAR_CHANGE and date(1900, 3, 14) <= day:
            expected = (day - timedelta(days=JULIAN_LAG_DAYS)).isoformat()
            if event.old_style is None:
                yield Problem(file, f"{key}.old_style", f"is missing: Russia still used the "
                              f"Julian calendar; the Old Style date is {expected}")
            elif event.old_style != expected:
                yield Problem(file, f"{key}.old_style", f"is {event.old_style}, but "
                              f"{event.date} (New Style) was {expected} (Old Style)")
        elif event.old_style is not None:
            yield Problem(file, f"{key}.old_style", "is given, but the date is not a day "
                          "before 14 February 1918, when Russia changed calendars")
        if not event.sections:
            yield Problem(file, f"{key}.sections", "is empty: name the sections that mention it")


def _companion_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    companion = syllabus.companion
    present = companion.present
    for session in syllabus.plan.sessions:
        if READING in present and not companion.works_for(session.id):
            yield Problem(files.content(READING), "works",
                          f"no further reading for session {session.id}")
        if ROLES in present and not any(t.session == session.id for t in companion.tasks):
            yield Problem(files.content(ROLES), "sessions",
                          f"session {session.id} gives no role a task of its own")
    if ROLES in present and len(companion.roles) < rules.min_roles:
        yield Problem(files.content(ROLES), "roles", f"has {len(companion.roles)} roles; "
                      f"expected at least {rules.min_roles}")
    names: dict[str, str] = {}
    for entry in syllabus.glossary:
        for name in lookup_names(entry):
            names.setdefault(fold(name), entry.id)
    seen: set[str] = set()
    for exclusion in companion.exclusions:
        key = fold(exclusion.term)
        if key in seen:
            yield Problem(files.content(EXCLUDED), f"excluded.{exclusion.term}",
                          "is listed twice")
        seen.add(key)
        if key in names:
            yield Problem(files.content(EXCLUDED), f"excluded.{exclusion.term}",
                          f"has a glossary entry ({names[key]}): remove the exclusion")
