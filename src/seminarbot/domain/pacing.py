"""How long a session asks of a participant: reading its sections and writing its answers.

Reading is counted at 100 words a minute, a study pace for dense academic prose read to be
discussed: notes taken and the hard passages read twice (Brysbaert, "How many words do we read
per minute?", Journal of Memory and Language 109, 2019, puts silent reading of English
non-fiction at about 238 words a minute; R. P. Carver's studies put reading to learn and to
remember at about 200 and 140 words a minute, before any rereading). Writing is counted at 10
words a minute, for drafting and revising a short argued answer. Both are rounded up to 5 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from seminarbot.domain.syllabus import Session, Syllabus

READING_WORDS_PER_MINUTE = 100
WRITING_WORDS_PER_MINUTE = 10


def _minutes(words: int, per_minute: int) -> int:
    minutes = -(-words // per_minute)
    return -(-minutes // 5) * 5 if words else 0


@dataclass(frozen=True)
class Pacing:
    reading_words: int | None  # None when a section's length is not known
    written: int
    writing_words: int
    discussion: int

    @property
    def reading_minutes(self) -> int | None:
        if self.reading_words is None:
            return None
        return _minutes(self.reading_words, READING_WORDS_PER_MINUTE)

    @property
    def writing_minutes(self) -> int:
        return _minutes(self.writing_words, WRITING_WORDS_PER_MINUTE)

    def describe(self) -> str:
        """`Reading: about 1,550 words, about 15 minutes. Writing: …`."""
        parts = []
        if self.reading_words is not None:
            parts.append(f"Reading: about {self.reading_words:,} words, about "
                         f"{self.reading_minutes} minutes.")
        answers = "1 written answer" if self.written == 1 else f"{self.written} written answers"
        if self.written:
            parts.append(f"Writing: {answers}, about {self.writing_words:,} words, about "
                         f"{self.writing_minutes} minutes.")
        if self.discussion:
            parts.append(f"For discussion at the meeting: {self.discussion} "
                         f"prompt{'' if self.discussion == 1 else 's'}.")
        return " ".join(parts)


def session_pacing(syllabus: Syllabus, session: Session) -> Pacing:
    lengths = [syllabus.section(s).words for s in session.sections]
    reading = None if any(n is None for n in lengths) else sum(n or 0 for n in lengths)
    written = [p for p in session.prompts if p.mode == "written"]
    return Pacing(reading_words=reading, written=len(written),
                  writing_words=sum(p.suggested_words or 0 for p in written),
                  discussion=sum(1 for p in session.prompts if p.mode == "discussion"))
