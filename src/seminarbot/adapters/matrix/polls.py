"""A poll's question and answers, as Matrix clients start one (MSC3381, Polls: the unstable
`org.matrix.msc3381.poll.start` that Element sends, and the stable `m.poll.start` with its
`m.poll` content), for a response stored as a Discord poll is (domain.responses
.with_attachments: a line for the question, one per answer; the votes are not recorded)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

POLL_TYPES = ("org.matrix.msc3381.poll.start", "m.poll.start")
_CONTENT_KEYS = ("org.matrix.msc3381.poll.start", "m.poll")


def poll_of(content: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """(question, answers) of a poll start's content; None when it holds no poll. A text
    that cannot be read is "" (with_attachments leaves out an answer without words)."""
    poll = next((content[key] for key in _CONTENT_KEYS if isinstance(content.get(key), Mapping)),
                None)
    if poll is None:
        return None
    answers = poll.get("answers")
    return _text(poll.get("question")), [_text(answer) for answer in
                                         (answers if isinstance(answers, list) else ())]


def _text(given: object) -> str:
    """The text of a poll's question or answer: MSC1767's `org.matrix.msc1767.text` (a string)
    or `m.text` (a list of representations, each with a `body`), or an older `body`."""
    if not isinstance(given, Mapping):
        return ""
    for key in ("org.matrix.msc1767.text", "body"):
        if isinstance(given.get(key), str):
            return str(given[key])
    shown = given.get("m.text")
    if isinstance(shown, list):
        return next((str(part["body"]) for part in shown
                     if isinstance(part, Mapping) and isinstance(part.get("body"), str)), "")
    return ""
