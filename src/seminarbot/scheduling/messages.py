"""The words of reminders (in a prompt's thread) and digests (to moderators)."""

from __future__ import annotations

from collections.abc import Sequence

from seminarbot.domain.display import isolate
from seminarbot.domain.syllabus import Session


def reminder_text(closes: str, responses: int, people: int,
                  names: Sequence[str] | None) -> str:
    if people == 0:
        tally = "Nobody has responded yet"
    else:
        tally = (f"{people} participant{'s' if people != 1 else ''} "
                 f"{'have' if people != 1 else 'has'} responded so far "
                 f"({responses} response{'s' if responses != 1 else ''})")
    text = f"Reminder: this discussion closes {closes}. {tally}."
    if names:
        text += " Responded: " + ", ".join(map(isolate, names)) + "."
    return text


def digest_text(session: Session, rows: Sequence[tuple[str, int, int]], participants: int) -> str:
    lines = [f"Digest for session {session.number}, “{session.title}”: {participants} "
             f"participant{'s' if participants != 1 else ''} responded."]
    for ref, responses, people in rows:
        lines.append(f"  {ref}: {responses} response{'s' if responses != 1 else ''} "
                     f"from {people} participant{'s' if people != 1 else ''}")
    return "\n".join(lines)
