"""A calendar date written with its month's English name, as people write one: `9 March 2027`,
`March 9, 2027`, `9th Mar 2027`, `9-mar-2027`. The month named, the day and the month cannot
be swapped, so such a date is read as given (core.params.Date); a date of numbers alone is read
only as YYYY-MM-DD (ISO 8601), its other forms hinted (core.hints.date_hint), as are these
written with a slip (no year, a two-digit one, a misspelt month, `1th`)."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH = r"([a-z]{3,9})\.?"
_DAY = r"(\d{1,2})(st|nd|rd|th)?"
# Between the parts: spaces, a comma, or a hyphen or slash with no space around it (so that
# `9 mar -2027` is no date: its year would be signed).
_GAP = r"(?:\s*,\s*|\s+|[-/])"
_YEAR = r"(?:" + _GAP + r"(\d{4}|\d{2}))?\.?"
# Lower-case text, as core.params reads it (textfold.as_word).
_DAY_FIRST = re.compile(_DAY + _GAP + _MONTH + _YEAR)
_MONTH_FIRST = re.compile(_MONTH + _GAP + _DAY + _YEAR)


class DateWords(NamedTuple):
    """A date's parts as written: its year's digits ("" when left out), its month's word, its
    day and the day's ordinal suffix ("" when none)."""

    year: str
    month: str
    day: int
    suffix: str


def date_words(text: str) -> DateWords | None:
    """The parts of text shaped as a date with a word for its month (`9 march 2027`, `marhc 9`:
    neither the word nor the year checked); else None. `text` is lower case."""
    for pattern, day_at, month_at in ((_DAY_FIRST, 1, 3), (_MONTH_FIRST, 2, 1)):
        match = pattern.fullmatch(text)
        if match:
            return DateWords(match.group(4) or "", match.group(month_at),
                             int(match.group(day_at)), match.group(day_at + 1) or "")
    return None


def month_number(word: str) -> int:
    """1 to 12 for a month's English name, whole or its first three letters (`sept` too);
    else 0."""
    for number, name in enumerate(MONTHS, 1):
        if word == name or word == name[:3] or (number == 9 and word == "sept"):
            return number
    return 0


def ordinal(day: int) -> str:
    """The English ordinal suffix of a day of the month: 1st, 2nd, 3rd, 11th, 22nd."""
    if day % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def named_date(text: str) -> date | None:
    """The date `text` writes with its month's name, in full (year of four digits, a known
    month, the day's suffix, if any, its own); None otherwise, or for no such day (`30
    february 2027`)."""
    words = date_words(text)
    month = month_number(words.month) if words else 0
    if words is None or not month or len(words.year) != 4 \
            or words.suffix not in ("", ordinal(words.day)):
        return None
    try:
        return date(int(words.year), month, words.day)
    except ValueError:
        return None
