"""Participation statistics, built from one pass over a cohort's responses.

Response length is counted in words (whitespace-separated, files' lines and punctuation alone
left out). Medians
come from a histogram of lengths, so memory grows with the number of distinct lengths, not of
responses.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from seminarbot.domain.display import DEFAULT_IGNORABLE, is_blank
from seminarbot.domain.syllabus import Plan

# A file's line in a stored message (domain.responses.with_attachments): not the person's words.
_ATTACHMENT_LINE = re.compile(r"^\[attachment: .+ \S+\]$", re.MULTILINE)
_DESCRIPTION_LINE = re.compile(r"^\[attachment description: (.*)\]$", re.MULTILINE)


# A word beginning with something that is neither printable ASCII nor a letter or digit, or
# with a filler that Unicode counts as a letter (DEFAULT_IGNORABLE: U+3164 …).
_ODD_START = re.compile(r"(?<!\S)(?:[^\w\s!-~]|" + DEFAULT_IGNORABLE.pattern + r")\S*")


# Punctuation alone between spaces (`...`, ` — `): Unicode's general category P, in ASCII.
_ASCII_PUNCTUATION = re.compile(r"(?<!\S)[!-#%-*,-/:;?@\[-\]_{}]+(?!\S)")
_NO_LETTER = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")


def word_count(text: str) -> int:
    """The words a person wrote: whitespace-separated, a file's `[attachment: …]` line left
    out (a captionless image is no words), its description's words counted; neither what
    shows nothing (a zero-width space, a filler, a mark alone: `is_blank`) nor punctuation
    alone (`...`, a dash between spaces: Unicode's category P) is a word."""
    if "[attachment: " in text:
        text = _DESCRIPTION_LINE.sub(r"\1", _ATTACHMENT_LINE.sub("", text))
    words = len(text.split())
    if text.isascii():  # most: every word of printable ASCII shows
        return words - len(_ASCII_PUNCTUATION.findall(text))
    # Only a word that begins with neither a letter, a digit nor printable ASCII can show
    # nothing: those are found in one scan, the rest counted in C (stats read every response).
    return words - sum(1 for word in _ODD_START.findall(text) if is_blank(word)) - sum(
        1 for word in _NO_LETTER.findall(text)
        if all(unicodedata.category(ch).startswith("P") for ch in word))


class Lengths:
    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()
        self.total = 0

    def add(self, length: int) -> None:
        self._counts[length] += 1
        self.total += 1

    def median(self) -> float | None:
        """The middle length, or the mean of the two middle ones (as statistics.median)."""
        if not self.total:
            return None
        wanted = [(self.total - 1) // 2, self.total // 2]  # 0-based ranks of the middle
        found: list[int] = []
        seen = 0
        for length in sorted(self._counts):
            seen += self._counts[length]
            while wanted and wanted[0] < seen:
                found.append(length)
                wanted.pop(0)
            if not wanted:
                break
        return (found[0] + found[1]) / 2


@dataclass
class _Tally:
    responses: int = 0
    lengths: Lengths = field(default_factory=Lengths)
    members: set[str | int] = field(default_factory=set)  # participants, or sessions
    name: str = ""
    last: str = ""


@dataclass(frozen=True)
class SessionStats:
    number: int
    session_id: str
    title: str
    participants: int
    responses: int
    median_words: float | None


@dataclass(frozen=True)
class ParticipantStats:
    participant_id: int
    name: str
    responses: int
    sessions: int
    median_words: float | None
    last_written: str  # UTC ISO


class StatsBuilder:
    def __init__(self) -> None:
        self._sessions: dict[str, _Tally] = {}
        self._people: dict[int, _Tally] = {}

    def add(self, session_id: str, participant_id: int, name: str, text: str,
            written_at: str) -> None:
        words = word_count(text)
        session = self._sessions.setdefault(session_id, _Tally())
        session.responses += 1
        session.lengths.add(words)
        session.members.add(participant_id)
        person = self._people.setdefault(participant_id, _Tally())
        person.responses += 1
        person.lengths.add(words)
        person.members.add(session_id)
        person.name = name
        person.last = max(person.last, written_at)

    def sessions(self, plan: Plan) -> list[SessionStats]:
        """Every session of the plan in order (empty ones too), then any no longer in it."""
        rows = []
        for session in plan.sessions:
            tally = self._sessions.get(session.id, _Tally())
            rows.append(SessionStats(session.number, session.id, session.title,
                                     len(tally.members), tally.responses, tally.lengths.median()))
        known = {s.id for s in plan.sessions}
        for session_id in sorted(set(self._sessions) - known):
            tally = self._sessions[session_id]
            rows.append(SessionStats(0, session_id, f"{session_id} (no longer in the plan)",
                                     len(tally.members), tally.responses, tally.lengths.median()))
        return rows

    def participants(self) -> list[ParticipantStats]:
        """Most responses first, then by name."""
        rows = [ParticipantStats(pid, t.name, t.responses, len(t.members), t.lengths.median(),
                                 t.last) for pid, t in self._people.items()]
        rows.sort(key=lambda r: (-r.responses, r.name.casefold(), r.participant_id))
        return rows


def format_median(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"
