"""Russian words cut to their stems, so that an inflected form finds a name written in another:
советы, Советов and Советам find совет, большевик finds большевики. The cutting is Snowball's
Russian stemmer (https://snowballstem.org/algorithms/russian/stemmer.html), compiled: the
PyStemmer package. Only words with Cyrillic letters are cut: an English stemmer would also
join words the glossary keeps apart as entries of their own (democracy and democratization)."""

from __future__ import annotations

import functools
import re
from typing import Protocol

from seminarbot.domain.romanize import has_cyrillic
from seminarbot.domain.textfold import cased, fold

MIN_STEMMED = 4  # characters of a cut key: a shorter one (Киров → кир) finds too much


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...


@functools.cache
def _russian() -> _Stemmer:
    import Stemmer  # only for a look-up that matched no name as typed

    stemmer: _Stemmer = Stemmer.Stemmer("russian")
    return stemmer


def stemmed(text: str) -> str | None:
    """`text`'s comparison key (`textfold.fold`) with each word in Cyrillic cut to its stem:
    "Верховного Совета" → "верховн совет". None where no word is in Cyrillic, or the key
    would be shorter than MIN_STEMMED characters."""
    if not has_cyrillic(text):
        return None
    words = re.findall(r"[^\W_]+", cased(text))
    key = fold(" ".join(_russian().stemWord(w) if has_cyrillic(w) else w for w in words))
    return key if len(key) >= MIN_STEMMED else None
