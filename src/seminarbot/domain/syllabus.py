"""The seminar's content as loaded from content/ and prompts/: texts, sections, plan, glossary."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from seminarbot.domain.errors import BadArgument
from seminarbot.domain.textfold import as_word

if TYPE_CHECKING:
    from seminarbot.domain.companion import Companion

PROMPT_KINDS = ("comprehension", "interpretation", "comparison", "source-criticism", "synthesis")
PROMPT_MODES = ("written", "discussion")
# Where a term or a person comes from: "russian" (a Russian word, or a name, term, title or
# slogan of Russian or Soviet origin: the entry gives its Russian form) or "western" (coined
# outside Russia: Marx's and Engels's terms, the Paris Commune, Taylorism, Western writers, and
# the labels of historians writing in English, such as the left turn).
ORIGINS = ("russian", "western")
GLOSSARY_CATEGORIES = ("russian-term", "institution", "policy", "campaign", "slogan", "event",
                       "document", "group", "concept", "person")


class Locator(NamedTuple):
    opening: str
    heading: str | None = None
    pages: str | None = None
    pages_estimated: bool = False  # interpolated between the page markers a copy keeps

    def describe(self) -> str:
        parts = []
        if self.heading:
            parts.append(f"under “{self.heading}”")
        if self.pages:
            many = "–" in self.pages
            parts.append(f"{'pp.' if many else 'p.'} {self.pages}"
                         + (" (estimated)" if self.pages_estimated else ""))
        parts.append(f"begins “{self.opening} …”")
        return ", ".join(parts)


class Section(NamedTuple):
    id: str
    text_id: str
    title: str
    locator: Locator
    summary: str
    terms: tuple[str, ...]
    words: int | None = None  # length in a copy of the text, for the reading time


class TextMap(NamedTuple):
    id: str
    title: str
    kind: str
    sections: tuple[Section, ...]
    author: str | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    year: int | None = None
    pages: str | None = None
    publisher: str | None = None
    note: str | None = None
    ends_before: str | None = None

    @property
    def short(self) -> str:
        """How a reply names the text briefly: the author's surname, else the main title."""
        if self.author:
            return self.author.split()[-1]
        return self.title.split(":")[0].strip()

    def citation(self) -> str:
        parts = [self.author or "Anonymous", f"“{self.title}”"]
        venue = self.venue or ""
        if self.volume:
            venue += f" {self.volume}" + (f"({self.issue})" if self.issue else "")
        if venue:
            parts.append(venue.strip())
        if self.year:
            parts.append(str(self.year))
        if self.pages:
            parts.append(f"pp. {self.pages}")
        return ", ".join(parts)


class Prompt(NamedTuple):
    id: str
    session_id: str
    ref: str  # "3.2": session 3, prompt 2 — what people type
    kind: str
    text: str
    sections: tuple[str, ...]
    follow_ups: tuple[str, ...] = ()
    suggested_words: int | None = None
    mode: str | None = None  # "written" (answered in writing) or "discussion" (in the meeting)


class Session(NamedTuple):
    id: str
    number: int
    title: str
    sections: tuple[str, ...]
    framing: str
    prompts: tuple[Prompt, ...] = ()


class Plan(NamedTuple):
    id: str
    title: str
    description: str
    sessions: tuple[Session, ...]

    @property
    def edition(self) -> str:
        """What a new edition can change under running seminars (scheduling.plan_change):
        its sessions' ids, in order, and each one's prompt ids, as a SHA-256 hex digest."""
        shape = "\n".join(f"{s.id}:{','.join(p.id for p in s.prompts)}" for s in self.sessions)
        return hashlib.sha256(shape.encode()).hexdigest()

    def planned(self, session_id: str, item: str = "") -> Session | None:
        """The session with this id if the plan still has it (and, given a prompt id, that
        prompt in it); None for what an earlier edition of the plan had."""
        for session in self.sessions:
            if session.id == session_id:
                known = not item or any(prompt.id == item for prompt in session.prompts)
                return session if known else None
        return None

    def session(self, ref: str | int, param: str = "session") -> Session:
        """A session by its number (1-based) or its id."""
        text = _numbers(as_word(str(ref)))
        for session in self.sessions:
            if text in (str(session.number), session.id):
                return session
        raise BadArgument(param, f"a session number from 1 to {len(self.sessions)} or an id "
                          f"such as {self.sessions[0].id!r}", str(ref),
                          hint=self._in_session(text)
                          or _near(text, [session.id for session in self.sessions]))

    def _in_session(self, text: str) -> str:
        """For a prompt's reference given as a session (3.2): the session it names, or which
        prompts the session has (3.9)."""
        number, dot, item = text.partition(".")
        if not dot or not item.isdecimal() or all(str(s.number) != number for s in self.sessions):
            return ""
        if any(p.ref == text for s in self.sessions for p in s.prompts):
            return f"{text} is a prompt; its session is {number}."
        return f"{text} is shaped as a prompt's reference. {self._which(text)}".rstrip()

    def prompt(self, ref: str, param: str = "prompt") -> Prompt:
        """A prompt by its reference (2.1) or its id."""
        text = _numbers(as_word(ref))
        for session in self.sessions:
            for prompt in session.prompts:
                if text in (prompt.ref, prompt.id):
                    return prompt
        raise BadArgument(param, "a prompt reference such as 1.2 (session 1, prompt 2) or a "
                          "prompt id; /seminar prompt lists them", ref,
                          hint=self._which(text) or _near(
                              text, [p.id for s in self.sessions for p in s.prompts]))

    def _which(self, text: str) -> str:
        """For a reference shaped as one (9.1, 1.9) that names no prompt: which there are."""
        number, dot, _ = text.partition(".")
        if not dot or not number.isdecimal():
            return ""
        found = next((s for s in self.sessions if str(s.number) == number), None)
        if found is None:
            return f"There is no session {number}: the plan has sessions 1 to {len(self.sessions)}."
        if not found.prompts:
            return ""
        return (f"Session {number} has prompts {found.prompts[0].ref} to "
                f"{found.prompts[-1].ref}.")


def _near(typed: str, ids: list[str]) -> str:
    """"Did you mean 'stalin'?" for a mistyped id, or ""."""
    from seminarbot.domain.near import near  # only for a mistyped id

    close = near(typed, ids, n=2, cutoff=0.75)
    return f"Did you mean {' or '.join(repr(i) for i in close)}?" if close else ""


class GlossaryEntry(NamedTuple):
    id: str
    term: str
    category: str
    definition: str
    sections: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    original: str | None = None  # Cyrillic, for Russian terms and people
    life: str | None = None  # a person's years, "1886–1934"
    romanized: str | None = None  # a person's full name romanized (Library of Congress)
    origin: str | None = None  # one of ORIGINS; "russian" needs `original`


def _no_companion() -> Companion:
    from seminarbot.domain.companion import Companion

    return Companion()


@dataclass(frozen=True)
class Reference:
    """What look-ups and the reading commands read beside the plan: the glossary (terms and
    people alike) and the companion. Most of the syllabus's memory; posting and recording
    never read it."""

    glossary: tuple[GlossaryEntry, ...] = ()
    companion: Companion = field(default_factory=_no_companion)


@dataclass(frozen=True, eq=False)
class Syllabus:
    """Everything the bot shows about the texts. `reference` is the glossary and companion,
    or a function that gives them, called once on first use (syllabus/cache.py defers them
    so that a bot that only posts and records never holds them)."""

    texts: tuple[TextMap, ...]
    plan: Plan
    reference: Reference | Callable[[], Reference] = field(default_factory=Reference, repr=False)
    _sections: dict[str, Section] = field(default_factory=dict, repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Syllabus):
            return NotImplemented
        return ((self.texts, self.plan, self.loaded())
                == (other.texts, other.plan, other.loaded()))

    def __hash__(self) -> int:
        return hash((self.texts, self.plan))  # equal syllabi have equal texts and plans

    def loaded(self) -> Reference:
        """The glossary and companion, unpacked by the first call if they were deferred."""
        if not isinstance(self.reference, Reference):
            object.__setattr__(self, "reference", self.reference())  # frozen, but loaded once
        assert isinstance(self.reference, Reference)
        return self.reference

    @property
    def glossary(self) -> tuple[GlossaryEntry, ...]:
        return self.loaded().glossary

    @property
    def companion(self) -> Companion:
        return self.loaded().companion

    def __post_init__(self) -> None:
        for text in self.texts:
            for section in text.sections:
                self._sections[section.id] = section

    def section(self, section_id: str) -> Section:
        return self._sections[section_id]

    def has_section(self, section_id: str) -> bool:
        return section_id in self._sections

    def section_label(self, section_id: str) -> str:
        """How a section is named to readers: "Title (Short title; id)", or the bare id of a
        section no longer in the map."""
        if section_id not in self._sections:
            return section_id
        section = self._sections[section_id]
        return f"{section.title} ({self.text(section.text_id).short}; {section.id})"
    def sessions_of(self, section_ids: tuple[str, ...]) -> tuple[int, ...]:
        """The numbers of the sessions that read any of these sections, in order."""
        return tuple(s.number for s in self.plan.sessions
                     if any(section in s.sections for section in section_ids))

    def text(self, text_id: str) -> TextMap:
        for text in self.texts:
            if text.id == text_id:
                return text
        raise KeyError(text_id)


def _numbers(text: str) -> str:
    """A session number or a prompt's reference (`3`, `2.1`) as the plan writes it, whatever
    digits it was typed in and however many zeros lead (`03`, `٣`, `2.01`: helper-146's 11,
    as durations and times already read them); any other text as it is."""
    parts = text.split(".")
    if len(parts) > 2 or not all(part.isdecimal() and len(part.lstrip("0")) <= 9
                                 for part in parts):
        return text
    return ".".join(str(int(part)) for part in parts)
