"""A calendar date written with its month's English name, as people write one: `9 March 2027`,
`March 9, 2027`, `9th Mar 2027`, `9-mar-2027`. The month named, the day and the month cannot
be swapped, so such a date is read as given (core.params.Date); a date of numbers alone is read
only as YYYY-MM-DD (ISO 8601), its other forms hinted (core.hints.date_hint)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH = r"([a-z]{3,9})\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_GAP = r"[\s,/-]*"
_YEAR = r"(\d{4})"
# Lower-case text, as core.params reads it (textfold.as_word).
_DAY_FIRST = re.compile(_DAY + _GAP + _MONTH + _GAP + _YEAR)
_MONTH_FIRST = re.compile(_MONTH + _GAP + _DAY + _GAP + _YEAR)


def date_words(text: str) -> tuple[int, str, int] | None:
    """(year, the month's word, day) of text with a date's shape and a word for its month
    (`9 march 2027`, `marhc 9, 2027`: the word not checked); else None. `text` is lower
    case."""
    for pattern, day_group, month_group in ((_DAY_FIRST, 1, 2), (_MONTH_FIRST, 2, 1)):
        match = pattern.fullmatch(text)
        if match:
            return int(match.group(3)), match.group(month_group), int(match.group(day_group))
    return None


def month_named(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date written with its month's name (`9 march 2027`: the name
    whole or its first three letters, `sept` too), the day not checked against the month; None
    when `text` is not written so. `text` is lower case."""
    words = date_words(text)
    month = _month(words[1]) if words else 0
    return (words[0], month, words[2]) if words and month else None


def _month(word: str) -> int:
    for number, name in enumerate(MONTHS, 1):
        if word == name or word == name[:3] or (number == 9 and word == "sept"):
            return number
    return 0


def named_date(text: str) -> date | None:
    """The date `text` writes with its month's name, or None (not so written, or no such day:
    `30 february 2027`)."""
    parts = month_named(text)
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None
