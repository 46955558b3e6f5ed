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


# Latin letters back to Cyrillic, longest first: the Library of Congress's table as the texts
# write it (above), and the scholarly one (ISO 9's forerunner: č, š, ž, x as ch, c for ц,
# j for й, ja and ju), which writes Брежнев as Brežnev and Троцкий as Trockij.
_FROM_LIBRARY = (("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
                 ("iu", "ю"), ("ia", "я"), ("y", "ы"))
_FROM_SCHOLARLY = (("šč", "щ"), ("ch", "х"), ("ja", "я"), ("ju", "ю"), ("č", "ч"), ("š", "ш"),
                   ("ž", "ж"), ("ë", "ё"), ("è", "э"), ("c", "ц"), ("j", "й"), ("y", "ы"))
_WORD = re.compile(r"[^\W\d_]+")
_LETTERS = dict(zip("abvgdezijklmnoprstuf", "абвгдезийклмнопрстуф", strict=True))


def _back(word: str, table: tuple[tuple[str, str], ...]) -> str:
    out, at = [], 0
    while at < len(word):
        for latin, cyrillic in table:
            if word.startswith(latin, at):
                out.append(cyrillic)
                at += len(latin)
                break
        else:
            out.append(_LETTERS.get(word[at], word[at]))
            at += 1
    return "".join(out)


def cyrillic_readings(cased: str) -> tuple[str, ...]:
    """The Cyrillic a Latin spelling of Russian may stand for, by each table above: `stalina`
    → `сталина`, `brežnev` → `брежнев`, `trockij` → `троцкий` (`cased`: lower case, accents
    kept, as domain.textfold.cased gives). Letters no table has (q, w, x) stay Latin, so an
    English word seldom reads as a Russian one; the caller takes a reading only where it names
    something."""
    readings: list[str] = []
    for table in (_FROM_LIBRARY, _FROM_SCHOLARLY):
        reading = _WORD.sub(lambda word: _back(word.group(), table), cased)  # noqa: B023 (used at once)
        if reading not in readings:
            readings.append(reading)
    return tuple(readings)
