"""`seminarbot content check`: everything about content/ and prompts/ that can be wrong.

Schema and references come from the loader. On top: plan coverage, prompt kinds, lengths,
and — given copies of the texts — that every locator is found, that every glossary citation
really contains its term, and that nothing we wrote copies 8 or more words from a text (the
limit issue 17 measured the content against).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seminarbot.config.files import MAX_COPY_BYTES, read_regular
from seminarbot.config.yamlfile import YamlError
from seminarbot.domain.syllabus import Syllabus
from seminarbot.domain.textfold import contains_term, fold
from seminarbot.syllabus.alignment import Alignment, align
from seminarbot.syllabus.check_copying import copy_problems, reference_problems
from seminarbot.syllabus.check_structure import structure_problems
from seminarbot.syllabus.check_texts import Copy, text_problems
from seminarbot.syllabus.loader import load_syllabus
from seminarbot.syllabus.problems import Files, Problem, Rules
from seminarbot.syllabus.roots import ContentRoots

__all__ = ["Problem", "Report", "Rules", "check_content"]


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    syllabus: Syllabus | None = None
    copies: dict[str, Path] = field(default_factory=dict)  # text id → file it was checked on

    @property
    def ok(self) -> bool:
        return not self.problems


def check_content(roots: ContentRoots, texts_dir: Path | None = None,
                  rules: Rules | None = None) -> Report:
    rules = rules or Rules()
    report = Report()
    try:
        syllabus = load_syllabus(roots)
    except YamlError as error:
        report.problems.append(Problem(error.file, error.key, error.problem))
        return report
    report.syllabus = syllabus
    files = Files(roots)
    report.problems += _plan_problems(syllabus, files, rules)
    report.problems += _length_problems(syllabus, files, rules)
    report.problems += structure_problems(syllabus, files, rules)
    report.problems += reference_problems(syllabus, files, rules)
    if texts_dir is not None:
        copies = _match_copies(syllabus, texts_dir, files, report)
        alignments = {text_id: copy.alignment for text_id, copy in copies.items()}
        report.problems += _citation_problems(syllabus, alignments, files)
        report.problems += copy_problems(syllabus, alignments, report.copies, files, rules)
        if len(copies) == len(syllabus.texts):  # what is read in the texts needs them all:
            # a folder without them read as every term excluded being gone (helper-140)
            report.problems += text_problems(syllabus, copies, files, rules)
    return report


def _plan_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    plan = syllabus.plan
    low, high = rules.sessions
    if not low <= len(plan.sessions) <= high:
        yield Problem(files.plan, "sessions",
                      f"has {len(plan.sessions)} sessions; expected {low} to {high}")
    covering: dict[str, list[str]] = {}
    for session in plan.sessions:
        for section_id in session.sections:
            covering.setdefault(section_id, []).append(session.id)
    for text in syllabus.texts:
        for section in text.sections:
            sessions = covering.get(section.id, [])
            if not sessions:
                yield Problem(files.plan, f"sections.{section.id}",
                              "is not covered by any session")
            elif len(sessions) > 1:
                yield Problem(files.plan, f"sections.{section.id}",
                              f"is covered more than once (sessions {', '.join(sessions)})")
    for session in plan.sessions:
        file = files.prompts(session.id)
        if len(session.prompts) < rules.min_prompts:
            yield Problem(file, "prompts", f"session {session.id} has {len(session.prompts)} "
                          f"prompts; expected at least {rules.min_prompts}")
        kinds = {p.kind for p in session.prompts}
        is_synthesis = "synthesis" in kinds
        for kind in rules.required_kinds:
            if kind not in kinds and not is_synthesis:
                yield Problem(file, "prompts", f"session {session.id} has no {kind} prompt")
        for prompt in session.prompts:
            outside = [s for s in prompt.sections if s not in session.sections]
            if outside and not is_synthesis:  # a synthesis week looks back at all of them
                yield Problem(file, f"prompts.{prompt.id}.sections",
                              f"cites {', '.join(outside)}, not read in session {session.id}")


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"'(])", text.strip()) if s])


def _length_problems(syllabus: Syllabus, files: Files, rules: Rules) -> Iterator[Problem]:
    low, high = rules.summary_words
    for text in syllabus.texts:
        for section in text.sections:
            count = len(section.summary.split())
            if not low <= count <= high:
                yield Problem(files.text(text.id), f"sections.{section.id}.summary",
                              f"has {count} words; expected {low} to {high}")
    if len(syllabus.glossary) < rules.min_glossary:
        yield Problem(files.glossary, "entries", f"has {len(syllabus.glossary)} entries; "
                      f"expected at least {rules.min_glossary}")
    fewest, most = rules.definition_sentences
    for entry in syllabus.glossary:
        count = _sentences(entry.definition)
        if not fewest <= count <= most:
            yield Problem(files.glossary, f"entries.{entry.id}.definition",
                          f"has {count} sentences; expected {fewest} to {most}")


def _match_copies(syllabus: Syllabus, texts_dir: Path, files: Files,
                  report: Report) -> dict[str, Copy]:
    """Pair each text map with the copy in texts_dir whose openings it finds best."""
    copies = sorted(p for p in texts_dir.iterdir() if p.suffix in (".txt", ".md")
                    and p.is_file())  # a FIFO or a folder named *.txt is not a copy
    raw = {path: read_regular(path, MAX_COPY_BYTES).decode("utf-8", errors="replace")
           for path in copies}
    alignments: dict[str, Copy] = {}
    for text in syllabus.texts:
        best: tuple[int, Path, Alignment] | None = None
        for path, content in raw.items():
            alignment = align(text, content)
            score = len(alignment.sections)
            if score and (best is None or score > best[0]):
                best = (score, path, alignment)
        if best is None:
            report.problems.append(Problem(files.text(text.id), "",
                                           f"no copy in {texts_dir} matches this text"))
            continue
        _, path, alignment = best
        report.copies[text.id] = path
        alignments[text.id] = Copy(raw[path], alignment)
        for section in alignment.missing:
            entry = ("ends_before" if section.id == "(end of text)"
                     else f"sections.{section.id}.locator.opening")
            report.problems.append(Problem(files.text(text.id), entry,
                                           f"“{section.locator.opening}” is not found in "
                                           f"{path.name} (in order)"))
    return alignments


def _citation_problems(syllabus: Syllabus, alignments: dict[str, Alignment],
                       files: Files) -> Iterator[Problem]:
    folded: dict[str, str] = {}
    for alignment in alignments.values():
        for aligned in alignment.sections:
            folded[aligned.section.id] = fold(alignment.text[aligned.start : aligned.end])
    by_id = {entry.id: entry for entry in syllabus.glossary}

    def occurs(entry_id: str, section_id: str) -> bool:
        entry = by_id[entry_id]
        names = [n for n in (entry.term, *entry.aliases) if n]
        return any(contains_term(folded[section_id], name) for name in names)

    for entry in syllabus.glossary:
        file, key = files.entry(entry)
        for section_id in entry.sections:
            if section_id in folded and not occurs(entry.id, section_id):
                yield Problem(file, f"{key}.sections",
                              f"cites {section_id}, but neither “{entry.term}” nor an alias "
                              "occurs there")
    for text in syllabus.texts:
        for section in text.sections:
            for entry_id in section.terms:
                if section.id in folded and not occurs(entry_id, section.id):
                    yield Problem(files.text(text.id), f"sections.{section.id}.terms",
                                  f"lists {entry_id}, but “{by_id[entry_id].term}” does not "
                                  "occur in the section")
