"""Nothing we wrote may copy a run of words from a text: every piece of our prose, against
every aligned copy, on folded words. A work's title is checked against the texts that do not
cite or name it. Locators, glossary names and the words a text mentions a thing with are
references, not prose, and are left out; but a reference the loader does not bound already (a
locator's opening, at most 8 words) is held to as many words, with or without the texts
(helper-180's 1: a 15-word alias copied a sentence, shown by /term)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from seminarbot.domain.syllabus import Syllabus
from seminarbot.domain.textfold import fold
from seminarbot.syllabus.alignment import Alignment
from seminarbot.syllabus.companion_files import EXCLUDED, READING, ROLES, TIMELINE
from seminarbot.syllabus.problems import Files, Problem, Rules


def our_strings(syllabus: Syllabus, files: Files) -> Iterator[tuple[str, str, str]]:
    """(file, key, text) for every piece of prose in content/ and prompts/."""
    plan = syllabus.plan
    yield files.plan, "title", plan.title
    yield files.plan, "description", plan.description
    for session in plan.sessions:
        yield files.plan, f"sessions.{session.id}.title", session.title
        yield files.plan, f"sessions.{session.id}.framing", session.framing
        for prompt in session.prompts:
            file = files.prompts(session.id)
            yield file, f"prompts.{prompt.id}.text", prompt.text
            for index, question in enumerate(prompt.follow_ups):
                yield file, f"prompts.{prompt.id}.follow_ups[{index}]", question
    for text in syllabus.texts:
        if text.note:
            yield files.text(text.id), "note", text.note
        for section in text.sections:
            yield files.text(text.id), f"sections.{section.id}.title", section.title
            yield files.text(text.id), f"sections.{section.id}.summary", section.summary
    for entry in syllabus.glossary:
        file, key = files.entry(entry)
        field = "identification" if entry.category == "person" else "definition"
        yield file, f"{key}.{field}", entry.definition
    yield from _companion_strings(syllabus, files)


def _companion_strings(syllabus: Syllabus, files: Files) -> Iterator[tuple[str, str, str]]:
    companion = syllabus.companion
    for event in companion.timeline:
        yield files.content(TIMELINE), f"events.{event.id}.title", event.title
        yield files.content(TIMELINE), f"events.{event.id}.note", event.note
    for work in companion.works:
        # A citation's parts too: short as they are, none quotes the texts (helper-182's 6);
        # its title, where a text cites the work, may (_titles).
        for field in ("why", "author", "published"):
            yield files.content(READING), f"works.{work.id}.{field}", getattr(work, field)
    for role in companion.roles:
        yield files.content(ROLES), f"roles.{role.id}.task", role.task
    for task in companion.tasks:
        yield files.content(ROLES), f"sessions.{task.session}.tasks.{task.role}", task.task
    for exclusion in companion.exclusions:
        yield files.content(EXCLUDED), f"excluded.{exclusion.term}", exclusion.reason


def references(syllabus: Syllabus, files: Files) -> Iterator[tuple[str, str, str]]:
    """(file, key, text) for the names and mentions: words a text has, quoted as references."""
    for entry in syllabus.glossary:
        file, key = files.entry(entry)
        for index, name in enumerate(entry.aliases):
            yield file, f"{key}.aliases[{index}]", name
        for field, name in (("term", entry.term), ("romanized", entry.romanized or "")):
            if name:
                yield file, f"{key}.{field}", name
    companion = syllabus.companion
    for event in companion.timeline:
        for index, mention in enumerate(event.mentions):
            yield files.content(TIMELINE), f"events.{event.id}.mentions[{index}]", mention
    for work in companion.works:
        if work.mention:
            yield files.content(READING), f"works.{work.id}.mention", work.mention
    for text in syllabus.texts:
        for section in text.sections:
            for index, term in enumerate(section.terms):
                yield files.text(text.id), f"sections.{section.id}.terms[{index}]", term


def reference_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    most = rules.reference_words
    for file, key, value in references(syllabus, files):
        if (count := len(value.split())) > most:
            yield Problem(file, key, f"has {count} words; expected at most {most} "
                          "(a name or a mention, not a quotation)")


def _titles(syllabus: Syllabus, files: Files) -> Iterator[tuple[str, str, str, set[str]]]:
    """(file, key, title, the texts that give it: a work they cite or name) for each work."""
    for work in syllabus.companion.works:
        yield files.content(READING), f"works.{work.id}.title", work.title, set(work.found_in)


def _shingles(alignments: dict[str, Alignment], size: int) -> dict[tuple[str, ...], set[str]]:
    """Each run of `size` folded words of the texts, with the ids of the texts that have it."""
    shingles: dict[tuple[str, ...], set[str]] = {}
    for text_id, alignment in alignments.items():
        words = fold(alignment.text).split()
        for i in range(len(words) - size + 1):
            shingles.setdefault(tuple(words[i : i + size]), set()).add(text_id)
    return shingles


def copy_problems(syllabus: Syllabus, alignments: dict[str, Alignment],
                  copies: dict[str, Path], files: Files, rules: Rules) -> Iterator[Problem]:
    size = rules.copy_run
    shingles = _shingles(alignments, size)
    strings = [(file, key, value, set[str]()) for file, key, value in our_strings(syllabus, files)]
    for file, entry, value, giving in [*strings, *_titles(syllabus, files)]:
        words = fold(value).split()
        for i in range(len(words) - size + 1):
            sources = shingles.get(tuple(words[i : i + size]), set()) - giving
            if sources:
                run = " ".join(words[i : i + size])
                yield Problem(file, entry, f"shares {size} or more consecutive words with "
                              f"{copies[min(sources)].name} (“{run}”): rewrite it in our own "
                              "words")
                break


def longest_shared_run(syllabus: Syllabus, alignments: dict[str, Alignment],
                       files: Files) -> tuple[int, str, str]:
    """The longest run of words any of our prose shares with a copy: (length, key, run)."""
    texts = [fold(a.text).split() for a in alignments.values()]
    grams: set[tuple[str, ...]] = set()
    best = (0, "", "")
    for size in range(1, 30):
        grams = {tuple(w[i : i + size]) for w in texts for i in range(len(w) - size + 1)}
        found = None
        for _, key, value in our_strings(syllabus, files):
            words = fold(value).split()
            for i in range(len(words) - size + 1):
                if tuple(words[i : i + size]) in grams:
                    found = (size, key, " ".join(words[i : i + size]))
                    break
            if found:
                break
        if found is None:
            return best
        best = found
    return best
