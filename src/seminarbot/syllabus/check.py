"""`seminarbot content check`: everything about content/ and prompts/ that can be wrong.

Schema and references come from the loader. On top: plan coverage, prompt kinds, lengths,
and — given copies of the texts — that every locator is found, that every glossary citation
really contains its term, and that nothing we wrote copies 10 or more words from a text.
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
from seminarbot.syllabus.loader import ContentRoots, load_syllabus


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.reason}" if self.entry else \
            f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class Rules:
    sessions: tuple[int, int] = (6, 8)
    min_glossary: int = 45
    summary_words: tuple[int, int] = (80, 150)
    definition_sentences: tuple[int, int] = (1, 3)
    min_prompts: int = 3
    required_kinds: tuple[str, ...] = ("comprehension", "interpretation", "comparison")
    copy_run: int = 10

    @classmethod
    def lenient(cls) -> Rules:
        """Structure only: for small test fixtures."""
        return cls(sessions=(1, 100), min_glossary=1, summary_words=(1, 1000),
                   definition_sentences=(1, 10), min_prompts=1, required_kinds=())


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
    files = _Files(roots)
    report.problems += _plan_problems(syllabus, files, rules)
    report.problems += _length_problems(syllabus, files, rules)
    if texts_dir is not None:
        alignments = _match_copies(syllabus, texts_dir, files, report)
        report.problems += _citation_problems(syllabus, alignments, files)
        report.problems += _copy_problems(syllabus, alignments, report.copies, files, rules)
    return report


class _Files:
    def __init__(self, roots: ContentRoots) -> None:
        self.base = roots.content.parent
        self.roots = roots

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    def text(self, text_id: str) -> str:
        return self._rel(self.roots.content / "texts" / f"{text_id}.yaml")

    @property
    def plan(self) -> str:
        return self._rel(self.roots.content / "plan.yaml")

    @property
    def glossary(self) -> str:
        return self._rel(self.roots.content / "glossary.yaml")

    def prompts(self, session_id: str) -> str:
        return self._rel(self.roots.prompts / f"{session_id}.yaml")


def _plan_problems(syllabus: Syllabus, files: _Files, rules: Rules) -> Iterator[Problem]:
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


def _length_problems(syllabus: Syllabus, files: _Files, rules: Rules) -> Iterator[Problem]:
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


def _match_copies(syllabus: Syllabus, texts_dir: Path, files: _Files,
                  report: Report) -> dict[str, Alignment]:
    """Pair each text map with the copy in texts_dir whose openings it finds best."""
    copies = sorted(p for p in texts_dir.iterdir() if p.suffix in (".txt", ".md")
                    and p.is_file())  # a FIFO or a folder named *.txt is not a copy
    raw = {path: read_regular(path, MAX_COPY_BYTES).decode("utf-8", errors="replace")
           for path in copies}
    alignments: dict[str, Alignment] = {}
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
        alignments[text.id] = alignment
        for section in alignment.missing:
            entry = ("ends_before" if section.id == "(end of text)"
                     else f"sections.{section.id}.locator.opening")
            report.problems.append(Problem(files.text(text.id), entry,
                                           f"“{section.locator.opening}” is not found in "
                                           f"{path.name} (in order)"))
    return alignments


def _citation_problems(syllabus: Syllabus, alignments: dict[str, Alignment],
                       files: _Files) -> Iterator[Problem]:
    folded: dict[str, str] = {}
    for alignment in alignments.values():
        for aligned in alignment.sections:
            folded[aligned.section.id] = fold(alignment.text[aligned.start : aligned.end])
    by_id = {entry.id: entry for entry in syllabus.glossary}

    def occurs(entry_id: str, section_id: str) -> bool:
        entry = by_id[entry_id]
        return any(contains_term(folded[section_id], name)
                   for name in (entry.term, *entry.aliases) if name)

    for entry in syllabus.glossary:
        for section_id in entry.sections:
            if section_id in folded and not occurs(entry.id, section_id):
                yield Problem(files.glossary, f"entries.{entry.id}.sections",
                              f"cites {section_id}, but neither “{entry.term}” nor an alias "
                              "occurs there")
    for text in syllabus.texts:
        for section in text.sections:
            for entry_id in section.terms:
                if section.id in folded and not occurs(entry_id, section.id):
                    yield Problem(files.text(text.id), f"sections.{section.id}.terms",
                                  f"lists {entry_id}, but “{by_id[entry_id].term}” does not "
                                  "occur in the section")


def _our_strings(syllabus: Syllabus, files: _Files) -> Iterator[tuple[str, str, str]]:
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
        yield files.glossary, f"entries.{entry.id}.definition", entry.definition


def _copy_problems(syllabus: Syllabus, alignments: dict[str, Alignment],
                   copies: dict[str, Path], files: _Files, rules: Rules) -> Iterator[Problem]:
    size = rules.copy_run
    shingles: dict[tuple[str, ...], str] = {}
    for text_id, alignment in alignments.items():
        words = fold(alignment.text).split()
        for i in range(len(words) - size + 1):
            shingles.setdefault(tuple(words[i : i + size]), copies[text_id].name)
    for file, entry, value in _our_strings(syllabus, files):
        words = fold(value).split()
        for i in range(len(words) - size + 1):
            source = shingles.get(tuple(words[i : i + size]))
            if source is not None:
                run = " ".join(words[i : i + size])
                yield Problem(file, entry, f"shares {size} or more consecutive words with "
                              f"{source} (“{run}”): rewrite it in our own words")
                break
