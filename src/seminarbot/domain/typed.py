"""What a person typed, quoted inside the bot's own sentence: marked, so that a platform that
draws markup shows it as typed and nothing reads a command's name in it.

"No glossary entry for “**soviet**”." holds the person's `**soviet**`: Discord would draw it
in bold, and its `/seminar setup` would be renamed to the platform's form. `as_typed` marks the
piece with two of Unicode's noncharacters, which the standard keeps for a program's internal
use (Unicode 15, §23.7); every place that shows or stores a text either renders the marked
pieces (`spans`, Discord) or drops the marks (`untyped`: the console, Matrix, logs, the audit
log, the command line). An error keeps them in its `marked` text only; its `message` and
`str()` are without them (domain/errors.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPED_START, TYPED_END = "\ufdd0", "\ufdd1"
_MARKS = re.compile("[\ufdd0\ufdd1]")
_SPAN = re.compile("\ufdd0([^\ufdd0\ufdd1]*)\ufdd1")


def as_typed(value: str) -> str:
    """`value` marked as typed by a person (marks already in it dropped, so it is one span)."""
    return TYPED_START + untyped(value) + TYPED_END


def quoted_typed(value: object) -> str:
    """`value` quoted as Python's `repr` quotes it ('soviet'; an invisible character shown as
    its escape, so a refusal says exactly what was typed), marked as typed (`as_typed`)."""
    return as_typed(repr(value))


def untyped(text: str) -> str:
    """The text without the marks: as every platform that draws no markup shows it."""
    return _MARKS.sub("", text) if "\ufdd0" in text or "\ufdd1" in text else text


def spans(text: str) -> list[tuple[str, bool]]:
    """The text as pieces `(piece, was_typed)`, in order and without the marks; a mark that
    pairs with none is dropped. Empty pieces are left out."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _SPAN.finditer(text):
        pieces.append((untyped(text[at:match.start()]), False))
        pieces.append((match.group(1), True))
        at = match.end()
    pieces.append((untyped(text[at:]), False))
    return [(piece, was_typed) for piece, was_typed in pieces if piece]


def outside(text: str, change: Callable[[str], str]) -> str:
    """The text with `change` applied to the bot's own pieces only, the typed pieces kept as
    they are, marked (a command's name rewritten for a platform, never inside one's words)."""
    if TYPED_START not in text:
        return change(text)
    return "".join(as_typed(piece) if was_typed else change(piece)
                   for piece, was_typed in spans(text))
