"""What is stored of a participant's text: one normalisation for every way it arrives (a thread
reply or reply on any platform, an edit, `/seminar respond`). README, Responses, says the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

from seminarbot.domain.display import clean, is_blank

# Longer messages are stored cut at this many characters, with a marker (see README).
MAX_BODY_CHARS = 20_000
TRUNCATION_MARK = "\n[… truncated by seminarbot]"
MAX_NAME_CHARS = 255  # an attached file's name, as file systems keep one
# A poll's question or answer: Discord's are at most 300 and 55 (API docs, Poll object); more
# than that is no poll Discord made.
MAX_POLL_CHARS = 1_000
# What a response's text must be, as a refusal names it (domain.errors.BadArgument's `expected`).
VISIBLE = ("a response with visible text in it, not only spaces, control or invisible "
           "characters")

def one_line(text: str) -> str:
    """A name as shown and stored: `clean`, each run of whitespace (line breaks included) one
    space, none at either end, so that it can never begin a line of its own."""
    # A short text is told to hold no control faster by isprintable than by `clean`'s bytes.
    return " ".join((text if text.isprintable() else clean(text)).split())


def author_name(display_name: str, user_id: str) -> str:
    """The name a participant is shown and stored by: `one_line`, or their platform id when
    nothing of it would show on its own: an empty name, or one of controls, zero-width
    characters or a Hangul filler alone (`is_blank`), as a Discord nickname or a Matrix
    displayname can be, or of combining marks with no letter to sit on."""
    shown = one_line(display_name)
    return user_id if is_blank(shown) else shown


def stored_body(text: str) -> str | None:
    """The text as stored, or None when nothing visible is left to store.

    `clean` runs first; text that is then blank (`is_blank`) is None; text over MAX_BODY_CHARS
    is cut with TRUNCATION_MARK. Bidirectional controls are kept (they are isolated where text
    is shown: domain/display.py).
    """
    text = clean(text)
    if is_blank(text):
        return None
    if len(text) <= MAX_BODY_CHARS:
        return text
    return text[: MAX_BODY_CHARS - len(TRUNCATION_MARK)] + TRUNCATION_MARK


class Arrival(Enum):
    """How a response arrived: a message in the prompt's thread, a reply to the prompt's post
    (in its channel), or the respond command (no platform message of its own)."""

    THREAD = "thread"
    REPLY = "reply"
    COMMAND = "command"


class Outcome(Enum):
    CREATED = "created"
    UNCHANGED = "unchanged"  # a replay of something already recorded
    UPDATED = "updated"
    DELETED = "deleted"
    UNKNOWN = "unknown"  # an edit or delete of a message we never recorded
    REFUSED = "refused"  # an edit by someone other than the author, or made while opted out


def with_attachments(text: str, files: Iterable[tuple[str, str] | tuple[str, str, str]],
                     poll: tuple[str, Sequence[str]] | None = None) -> str:
    """A message as stored: its text, then, for a poll it carries (its question and answers),
    a line `[poll: QUESTION]` and a line `[poll answer: ANSWER]` for each answer that has
    words (each on one line, cut at MAX_POLL_CHARS; those past half of MAX_BODY_CHARS counted in
    a line `[poll answers left out: N]`), then a line `[attachment: NAME URL]` per
    file (README: Responses), each name on one line and cut at MAX_NAME_CHARS, followed by
    `[attachment description: TEXT]` where the file's third field, the description its
    author gave it (Discord's alt text), shows anything (on one line, cut at MAX_POLL_CHARS).
    The lines stay whole within MAX_BODY_CHARS: a text too long for both is cut first, with
    TRUNCATION_MARK."""
    lines = []
    question, answers = poll or ("", ())
    answers = [answer for answer in answers if one_line(answer)]
    if one_line(question) or answers:
        lines += [f"[poll: {_named(question, MAX_POLL_CHARS)}]",
                  *_within(MAX_BODY_CHARS // 2, [f"[poll answer: {_named(a, MAX_POLL_CHARS)}]"
                                                 for a in answers])]
    for name, url, *described in files:
        lines.append(f"[attachment: {_named(name, MAX_NAME_CHARS) or 'file'} {url}]")
        if described and not is_blank(described[0]):  # nothing visible, nothing stored
            lines.append(f"[attachment description: {_named(described[0], MAX_POLL_CHARS)}]")
    if not lines:
        return text
    tail = "\n".join(lines)
    room = MAX_BODY_CHARS - len(tail) - 1
    if len(text) > room:
        text = text[:max(room - len(TRUNCATION_MARK), 0)] + TRUNCATION_MARK
    return f"{text}\n{tail}" if text else tail


def _within(most: int, lines: list[str]) -> list[str]:
    """As many of `lines` as fit in `most` characters (a poll of thousands of answers, which
    Matrix allows), then a line saying how many were left out."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > most:
            return [*kept, f"[poll answers left out: {len(lines) - index}]"]
        kept.append(line)
        used += len(line) + 1
    return kept


def _named(name: str, most: int) -> str:
    """A name (a file's, a poll's question or answer) on one line, cut at `most` characters."""
    name = one_line(name)
    return name[:most - 1] + "…" if len(name) > most else name
