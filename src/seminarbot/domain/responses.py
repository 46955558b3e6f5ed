"""What is stored of a participant's text: one normalisation for every way it arrives (a thread
reply or reply on any platform, an edit, `/seminar respond`). README, Responses, says the same.
"""

from __future__ import annotations

from enum import Enum

# Longer messages are stored cut at this many characters, with a marker (see README).
MAX_BODY_CHARS = 20_000
TRUNCATION_MARK = "\n[… truncated by seminarbot]"


def stored_body(text: str) -> str | None:
    """The text as stored, or None when nothing is left to store.

    NUL is removed (SQLite's text functions, and so exports, stop at one); text over
    MAX_BODY_CHARS is cut with TRUNCATION_MARK; text that is empty or only whitespace is None.
    """
    text = text.replace("\x00", "")
    if not text or text.isspace():
        return None
    if len(text) <= MAX_BODY_CHARS:
        return text
    return text[: MAX_BODY_CHARS - len(TRUNCATION_MARK)] + TRUNCATION_MARK


class Outcome(Enum):
    CREATED = "created"
    UNCHANGED = "unchanged"  # a replay of something already recorded
    UPDATED = "updated"
    DELETED = "deleted"
    UNKNOWN = "unknown"  # an edit or delete of a message we never recorded
    REFUSED = "refused"  # an edit by someone other than the author
