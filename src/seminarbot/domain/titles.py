"""Short titles for prompts, where a whole prompt does not fit: a forum post's title, a thread's
name, a transcript's thread heading. Pure."""

from __future__ import annotations

import re

from seminarbot.domain.display import isolate, without_bidi_controls

SHORT_TITLE = 60  # characters of the prompt's own words in a title
TITLE_MAX = 100  # Discord's limit on a thread's (and a forum post's) name
_END = re.compile(r"[.?!]+(?=\s)|[。！？؟]+")  # the last: CJK and Arabic, no space after
# A full stop after one of these, or after a word of initials (U.S., V. I.), ends no sentence.
_ABBREVIATIONS = frozenset({
    "ch", "chs", "cf", "eg", "ie", "vs", "etc", "vol", "vols", "no", "nos", "p", "pp", "para",
    "sec", "fig", "ed", "eds", "c", "ca", "approx", "al", "esp", "incl", "app", "trans",
    "mr", "mrs", "ms", "dr", "st", "mt", "prof", "gen", "col", "lt", "ps", "matt", "rom",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})


def first_sentence(text: str) -> str:
    """The text's first sentence, on one line. A full stop ends it only before a capital
    letter, a digit or an opening quote, and not after an abbreviation or an initial
    (`Read ch. 3. What…`: `Read ch. 3.`); `?` and `!` always do."""
    line = " ".join(text.split())
    for end in _END.finditer(line):
        mark, before = end.group(), line[: end.start()]
        if mark.startswith("..") or not before.strip() or before.isdigit():
            continue  # an ellipsis, a list's number (`1. Read it.`)
        if "." not in mark or _ends_sentence(before, line[end.end() + 1 : end.end() + 2]):
            return line[: end.end()]
    return line


def _ends_sentence(before: str, after: str) -> bool:
    word = before.rsplit(" ", 1)[-1].lstrip("(\"'“‘")
    initials = (len(word) == 1 and word.isalpha()) or "." in word  # V. or U.S
    return bool(after) and (after[0].isupper() or after[0].isdigit() or after[0] in "\"'“‘(") \
        and not initials and word.casefold().replace(".", "") not in _ABBREVIATIONS


def short_title(text: str, limit: int = SHORT_TITLE) -> str:
    """The text's first sentence on one line, cut at a word boundary to at most `limit`
    characters, an ellipsis marking the cut; never inside a character as shown (a flag, an
    emoji sequence, a letter and its accents: Unicode's grapheme clusters, by wcwidth)."""
    return cut_at_a_word(first_sentence(text), limit)


def cut_at_a_word(line: str, limit: int) -> str:
    """`line` if it fits in `limit` characters, else cut at a word boundary (never inside a
    grapheme cluster) with an ellipsis marking the cut."""
    if len(line) <= limit:
        return line
    cut = _whole_graphemes(line, limit - 1)
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _whole_graphemes(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` code points ending between clusters."""
    from wcwidth import iter_graphemes  # loaded with the first title that must be cut

    length = 0
    for grapheme in iter_graphemes(text):
        if length + len(grapheme) > limit:
            break
        length += len(grapheme)
    return text[:length]


def prompt_title(ref: str, text: str, limit: int = TITLE_MAX) -> str:
    """`1.2 · What did the council keep…`: the prompt's reference and its short title, its
    bidirectional controls balanced in an isolate of its own (a cut would leave one open)."""
    head = f"{ref} · "
    room = max(limit - len(head), 1)
    short = isolate(short_title(text, min(SHORT_TITLE, room)))
    if len(short) > room:  # its controls' closers do not fit: the words alone, then
        short = short_title(without_bidi_controls(text), room)
    return cut_at_a_word(head + short, limit)
