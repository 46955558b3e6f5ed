"""What `content check` reports and by which rules: shared by its modules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seminarbot.domain.syllabus import GlossaryEntry
from seminarbot.syllabus.companion_files import FILES, entry_place
from seminarbot.syllabus.roots import ContentRoots


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
    copy_run: int = 8
    reference_words: int = 8  # a glossary name, a mention: quoted from a text, so kept short
    # The second edition's rules (issue 17): each is off in `lenient`.
    required_files: tuple[str, ...] = FILES
    prompt_modes: bool = True  # every prompt says whether it is written or for discussion
    written_per_session: tuple[int, int] = (1, 2)
    section_words: bool = True  # every section gives its length, for the reading time
    words_tolerance: float = 0.03  # how far a stated length may be from the copy's
    identification_words: int = 40  # a person's one-line identification
    romanization: bool = True  # every `original` romanizes (Library of Congress) to a name given
    origins: bool = True  # every entry says where it comes from (russian or western)
    min_roles: int = 3
    timeline_years: tuple[int, int] = (1905, 1991)

    @classmethod
    def lenient(cls) -> Rules:
        """Structure only: for small test fixtures."""
        return cls(sessions=(1, 100), min_glossary=1, summary_words=(1, 1000),
                   definition_sentences=(1, 10), min_prompts=1, required_kinds=(),
                   required_files=(), prompt_modes=False, written_per_session=(0, 100),
                   section_words=False, romanization=False, origins=False, min_roles=0,
                   timeline_years=(1, 9999))


class Files:
    """How messages name the files: relative to the folder holding content/ and prompts/."""

    def __init__(self, roots: ContentRoots) -> None:
        self.base = roots.content.parent
        self.roots = roots

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    def text(self, text_id: str) -> str:
        return self.rel(self.roots.content / "texts" / f"{text_id}.yaml")

    def content(self, name: str) -> str:
        return self.rel(self.roots.content / name)

    @property
    def plan(self) -> str:
        return self.content("plan.yaml")

    @property
    def glossary(self) -> str:
        return self.content("glossary.yaml")

    def entry(self, entry: GlossaryEntry) -> tuple[str, str]:
        path, key = entry_place(self.roots.content, entry)
        return self.rel(path), key

    def prompts(self, session_id: str) -> str:
        return self.rel(self.roots.prompts / f"{session_id}.yaml")
