"""A calendar date written with its month's English name, as people write one: `9 March 2027`,
`March 9, 2027`, `9th of Mar 2027`, `Tue 9 Mar 2027`, `2027 March 9`, `9-mar-2027`. The month
named, the day and the month cannot be swapped, so such a date is read as given
(core.params.Date); a date of numbers alone is read only as YYYY-MM-DD (ISO 8601), its other
forms hinted (core.hints.date_hint), as are these written with a slip (no year, no day, a
two-digit year, a misspelt month, `1th`, a weekday the date is not on)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from seminarbot.domain.near import one_swap
from seminarbot.domain.schedule import WEEKDAYS
from seminarbot.domain.textfold import without_accents

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_WORD = r"([^\W\d_]{2,15})\.?"  # a month's word, in any script, to be hinted when unknown
_DAY = r"(\d{1,2})(?:(st|nd|rd|th)|\.)?"  # 9th; 9. as German writes it
# Between the parts: spaces, a comma, a hyphen with spaces both sides, or a hyphen, slash or
# full stop with none (so that `9 mar -2027` is no date: its year would be signed).
_GAP = r"(?:\s*,\s*|\s+-\s+|\s+|[-/.])"
_LEAD = r"(?:([^\W\d_]{2,9})\.?,?\s+)?"  # a weekday, or `the`
_END = r"[.,]?"
# A year of two digits may follow an apostrophe, as English abbreviates one (`9 Mar '27`).
_YEAR = r"(?:['\u2018\u2019](?=\d{2}(?!\d)))?(\d{4}|\d{2})"
# Lower-case text, as core.params reads it (textfold.as_word). Groups: the leading word, the
# day, its suffix, the month's word, the year; a pattern without one of them has None there.
_FORMS = tuple(re.compile(form) for form in (
    _LEAD + _DAY + r"(?:\s+of)?" + _GAP + _WORD + r"(?:" + _GAP + _YEAR + r")?" + _END,
    _LEAD + _WORD + _GAP + _DAY + r"(?:" + _GAP + _YEAR + r")?" + _END,
    r"()" + _YEAR + _GAP + _WORD + _GAP + _DAY + _END,
    r"()()()" + _WORD + _GAP + r"(\d{4})" + _END))
_ORDER = ((1, 2, 3, 4, 5), (1, 3, 4, 2, 5), (1, 4, 5, 3, 2), (1, 2, 3, 4, 5))


class DateWords(NamedTuple):
    """A date's parts as written: a word before it (a weekday's, `the`; "" when none), its
    year's digits ("" when left out), its month's word, its day (None when left out) and the
    day's ordinal suffix ("" when none)."""

    lead: str
    year: str
    month: str
    day: int | None
    suffix: str


def date_words(text: str) -> DateWords | None:
    """The parts of text shaped as a date with a word for its month (`9 march 2027`, `marhc 9`:
    neither the word nor the year checked); else None. `text` is lower case."""
    if len(text) > 60:  # no date is written longer
        return None
    for pattern, order in zip(_FORMS, _ORDER, strict=True):
        match = pattern.fullmatch(text)
        if match:
            lead, day, suffix, month, year = (match.group(n) or "" for n in order)
            return DateWords(lead, year, month, int(day) if day else None, suffix)
    return None


def month_number(word: str) -> int:
    """1 to 12 for a month's English name, whole or its first three letters (`sept` too);
    else 0."""
    for number, name in enumerate(MONTHS, 1):
        if word == name or word == name[:3] or (number == 9 and word == "sept"):
            return number
    return 0


def weekday_number(word: str) -> int | None:
    """0 (Monday) to 6 for a weekday's English name, whole or its first three letters; None
    for any other word."""
    return next((number for number, name in enumerate(WEEKDAYS)
                 if word in (name, name[:3])), None)


def ordinal(day: int) -> str:
    """The English ordinal suffix of a day of the month: 1st, 2nd, 3rd, 11th, 22nd."""
    if day % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def named_date(text: str) -> date | None:
    """The date `text` writes with its month's name, in full and without a slip (a year of
    four digits, a known month, the day's own suffix if any, the weekday it is on or `the`
    before it); None otherwise, or for no such day (`30 february 2027`)."""
    words = date_words(text)
    month = month_number(words.month) if words else 0
    if words is None or not month or len(words.year) != 4 or words.day is None \
            or words.suffix not in ("", ordinal(words.day)):
        return None
    try:
        found = date(int(words.year), month, words.day)
    except ValueError:
        return None
    return found if words.lead in ("", "the") or weekday_number(words.lead) == found.weekday() \
        else None


def named_hint(words: DateWords, today: date | None, fits: Callable[[date], bool]) -> str:
    """What a date written with a slip meant, as the hint that ends its refusal (only a date
    that `fits` the parameter is offered): the month a misspelt word is nearest to, `2027` for
    `27`, the day for a wrong suffix, the dates either side of `today` for one without its
    year; that it needs its day (`march 2027`), how many days its month has (`30 february
    2027`), which weekday it is on (`wed 9 march 2027`); else ""."""
    month = month_number(words.month) or _near_month(words.month)
    if not month:
        return ""
    if words.day is None:
        return "A date needs its day."
    if not words.year:
        meant = [day for day in _either_side(month, words.day, today) if fits(day)]
        return "A date needs its year" + (
            f": did you mean {' or '.join(day.isoformat() for day in meant)}?" if meant else ".")
    year = int(words.year) + (2000 if len(words.year) == 2 else 0)
    try:
        found = date(year, month, words.day)
    except ValueError:
        return month_length(year, month, words.day)
    if not fits(found):
        return ""
    on = weekday_number(words.lead)
    if on is not None and on != found.weekday():
        return f"{found.isoformat()} is a {WEEKDAYS[found.weekday()].title()}."
    return f"Did you mean {found.isoformat()}?"


def _near_month(word: str) -> int:
    """The month a misspelt word is nearest to, by its name or its first three letters (`jnu`:
    June); 0 when none is near, or two months are as near (`mat`: March or May)."""
    import difflib  # only for a word that is no month

    folded = without_accents(word)
    names = {name: number for number, whole in enumerate(MONTHS, 1)
             for name in (whole, whole[:3])}
    swapped = {number for name, number in names.items() if one_swap(folded, name)}
    if swapped:
        return swapped.pop() if len(swapped) == 1 else 0
    scores = {name: difflib.SequenceMatcher(None, folded, name).ratio() for name in names}
    best = max(scores.values())
    months = {names[name] for name, score in scores.items() if score == best}
    return months.pop() if best >= 0.6 and len(months) == 1 else 0


def _either_side(month: int, day: int, today: date | None) -> list[date]:
    """The last `month`-`day` up to `today` and the first after it (whether the one meant has
    gone by depends on the command); none without `today` or for no such day."""
    if today is None:
        return []
    found = []
    for year in range(today.year - 8, today.year + 9):  # 29 February: the leap years
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return [day for day in found if day <= today][-1:] + [day for day in found if day > today][:1]


def month_length(year: int, month: int, day: int) -> str:
    """`February 2027 has 28 days.` for a day past its month's end; else ""."""
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        return ""
    days = calendar.monthrange(year, month)[1]
    return f"{MONTHS[month - 1].title()} {year} has {days} days." if day > days else ""
