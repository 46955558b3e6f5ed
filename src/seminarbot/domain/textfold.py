"""Folding text for matching: case, accents, apostrophe styles and line-end hyphens don't matter."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’‘ʼ`´ʹ]")
_LINE_HYPHEN = re.compile(r"(\w)[-\u00ad]\s*\n\s*(\w)")
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """A comparison key: `Glasnost'`, `glasnost’` and `glasnost` all fold to `glasnost`."""
    text = _LINE_HYPHEN.sub(r"\1\2", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.casefold())
    return _NON_WORD.sub(" ", text).strip()


def contains_term(folded_text: str, term: str) -> bool:
    """Whole-word match of a term in folded text, allowing a plural -s or -es on its last word."""
    key = fold(term)
    if not key:
        return False
    pattern = r"(?:^|\s)" + re.escape(key) + r"(?:s|es)?(?=\s|$)"
    return re.search(pattern, folded_text) is not None


def words(text: str) -> list[str]:
    return fold(text).split()
