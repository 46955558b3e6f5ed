"""Russian Cyrillic → Latin by the Library of Congress table, as the seminar's texts write it:
without diacritics or tie-bars (й → i, ё → e, ц → ts, ю → iu), the soft sign as ’."""

from __future__ import annotations

import re

_TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "”", "ы": "y", "ь": "’", "э": "e", "ю": "iu", "я": "ia",
}


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def romanize(text: str) -> str:
    """`Хрущёв` → `Khrushchev`, `гласность` → `glasnost’`; other characters pass unchanged."""
    out = []
    for ch in text:
        latin = _TABLE.get(ch.lower())
        if latin is None:
            out.append(ch)
        elif ch.isupper():
            out.append(latin[:1].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


# The other common way of writing Russian in Latin letters (BGN/PCGN, newspapers): y for й and
# for the first sound of е, ё, я, ю, and -iy, -yy for -ий, -ый. In the Library of Congress's
# table those are i, e, e, ia, iu, ii and yi. Applied to a folded word, in this order.
_Y_SPELLINGS = (
    (re.compile(r"iy\b"), "ii"), (re.compile(r"yy\b"), "yi"),
    (re.compile(r"y[eo]"), "e"), (re.compile(r"ya"), "ia"), (re.compile(r"yu"), "iu"),
    (re.compile(r"(?<=[aeiou])y"), "i"),
)


def library_spelling(folded: str) -> str:
    """`perestroyka` → `perestroika`, `dvoyevlastiye` → `dvoevlastie`, `Yezhov` → `ezhov`
    (`folded`: lower case, as domain.textfold.fold gives): a word written with y as the
    Library of Congress's table writes it (helper-180's 4). English words change too; the
    caller takes the result only where it names something."""
    for pattern, spelling in _Y_SPELLINGS:
        folded = pattern.sub(spelling, folded)
    return folded
