"""What a refused argument probably meant, as the hint its BadArgument ends with ("Did you
mean 19:00?"): one function per kind of value, each "" when nothing is likely."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import date

from seminarbot.core.dates import MONTHS, DateWords, date_words, month_number
from seminarbot.core.durations import DURATION_UNITS, unit_seconds
from seminarbot.domain.near import near
from seminarbot.domain.schedule import WEEKDAYS

_BARE_UNITS = (("d", "days"), ("h", "hours"))  # what a bare number most likely meant
# 2026/01/05, 2026.1.5, 2026-1-5, 5/1/2026, 05.01.2026
_OTHER_DATE = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})")
_FRACTION = re.compile(r"(\d{1,6})[.,](\d{1,6})([wdhms])")  # 1.5d, 0,5h
_NUMBER_WITH_WORD = re.compile(r"(\d{1,6})\s*([a-z]{1,10})")
# 7pm, 7:30pm, 7.30 p.m. (group 3: a or p); 19h, 19h30, 19.30, 1930, 19
_OTHER_TIME = re.compile(r"(\d{1,2}?)(?:[:.h]?(\d{2})|[:.h])?(?:([ap])\.?m\.?)?")


def weekday_hint(value: str, parts: Sequence[str] = ()) -> str:
    """Which days an unclear prefix could be (`t`: tuesday or thursday), or the day a misspelt
    name is nearest to; "" when neither. Of a list (`parts`, `value` one of them), the whole
    list with that day in its place (`tue,thursday`), never one that names a day twice."""
    matches = [day for day in WEEKDAYS if value and day.startswith(value)]
    if len(matches) > 1:
        return f"{value!r} could be {' or '.join(matches)}."
    close = near(value, WEEKDAYS)
    if not close:
        return ""
    meant = [close[0] if part == value else part for part in parts] or close
    days = [next((d for d in WEEKDAYS if part and d.startswith(part)), "") for part in meant]
    if "" in days or len(set(days)) != len(days):  # tue,,thrusday; thu,thrusday
        return ""
    return f"Did you mean {','.join(meant)}?"


def time_hint(value: str) -> str:
    """`Did you mean 19:00?` for a time written another way (7pm, 7:30 p.m., 19h, 19h30,
    19.30, 1930), or ""."""
    match = _OTHER_TIME.fullmatch(value.replace(" ", ""))
    if not match:
        return ""
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if not half and 1 <= hour <= 12 and not value.startswith("0"):
        return ""  # 7, 7.30: morning or evening (`7 pm` typed apart reaches here as `7`)
    if half:
        if not 1 <= hour <= 12:
            return ""
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return ""
    return f"Did you mean {hour:02d}:{minute:02d}?"


def duration_hint(value: str, fits: Callable[[int], bool]) -> str:
    """For a number without its unit (`1`): the forms a duration takes, in units whose result
    `fits` (seconds); for a fraction of a unit (`1.5d`, `0,5h`), the same time in whole units
    (`1d12h`) if it `fits`; else ""."""
    fraction = _FRACTION.fullmatch(value)
    if fraction is not None:
        whole, part, unit = fraction.groups()
        seconds = (int(whole + part) * DURATION_UNITS[unit], 10 ** len(part))
        exact = seconds[0] // seconds[1] if seconds[0] % seconds[1] == 0 else 0
        return f"Did you mean {written(exact)}?" if exact and fits(exact) else ""
    if not value.isdecimal() or len(value) > 6:
        return ""
    forms = [f"{value}{unit} for {name}" for unit, name in _BARE_UNITS
             if fits(int(value) * DURATION_UNITS[unit])]
    return f"A duration needs its unit: {' or '.join(forms)}." if forms else ""


def written(seconds: int) -> str:
    """`1d12h`: a positive number of seconds in the units of DURATION_UNITS, largest first."""
    parts = []
    for unit, length in DURATION_UNITS.items():
        count, seconds = divmod(seconds, length)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def date_hint(value: str, today: date | None = None) -> str:
    """The YYYY-MM-DD form of a date written another way: 2026/01/05, 2026.1.5, 5/1/2026 (both
    readings when day and month could swap), 9 marhc 2027, 9 march 27, 1th april 2027; with
    `today`, for `9 march`, the 9 March before it and the one after; how many days a month
    has, for a day past its end (2027-02-29, 30 february 2027); else "". (Not `today` itself:
    whose today, the seminar's zone's, is not known here, and a day off would skip a
    meeting.)"""
    words = date_words(value)
    if words is not None:
        return _named_hint(words, today)
    match = _OTHER_DATE.fullmatch(value)
    if not match:
        return ""
    first, second, third = (int(n) for n in match.groups())
    if first > 31 and 1 <= second <= 12 and third > 28:  # 2027-02-29, 2026-04-31
        past_end = _month_length(first, second, third)
        if past_end:
            return past_end
    readings = [(first, second, third)] if first > 31 else \
        [(third, second, first), (third, first, second)] if third > 31 else []
    found = sorted({day for day in map(_day, readings) if day})
    return f"Did you mean {' or '.join(found)}?" if found else ""


def _named_hint(words: DateWords, today: date | None) -> str:
    month = month_number(words.month)
    if not month:  # misspelt: marhc
        close = near(words.month, MONTHS)
        month = MONTHS.index(close[0]) + 1 if close else 0
    if not month:
        return ""
    if not words.year:
        meant = _either_side(month, words.day, today)
        return f"A date needs its year: did you mean {meant}?" if meant else \
            "A date needs its year."
    year = int(words.year) + (2000 if len(words.year) == 2 else 0)
    past_end = _month_length(year, month, words.day)
    if past_end:
        return past_end
    meant = _day((year, month, words.day))
    return f"Did you mean {meant}?" if meant else ""


def _either_side(month: int, day: int, today: date | None) -> str:
    """The last `month`-`day` up to `today` and the first after it, as `2026-03-09 or
    2027-03-09` (whether the one meant has gone by depends on the command); "" without
    `today` or for no such day."""
    if today is None:
        return ""
    found = [date.fromisoformat(meant) for year in range(today.year - 8, today.year + 9)
             if (meant := _day((year, month, day)))]  # 29 February: the leap years
    before = [meant for meant in found if meant <= today]
    after = [meant for meant in found if meant > today]
    return " or ".join(meant.isoformat() for meant in (before[-1:] + after[:1]))


def _month_length(year: int, month: int, day: int) -> str:
    """`February 2027 has 28 days.` for a day past its month's end; else ""."""
    if not 1 <= year <= 9999:
        return ""
    days = calendar.monthrange(year, month)[1]
    return f"{MONTHS[month - 1].title()} {year} has {days} days." if day > days else ""


def _day(parts: tuple[int, int, int]) -> str:
    try:
        return date(*parts).isoformat()
    except ValueError:
        return ""


def whole_hint(value: str, minimum: int, maximum: int, unit: str) -> str:
    """`Did you mean 30?` for a whole number of `unit` (days: DURATION_UNITS's letter) given
    with a unit (30d, 4w, 1 year, 48h), converted, from `minimum` to `maximum`; else "" (also
    for a unit that does not divide into `unit`s, or that has no one length: months)."""
    match = _NUMBER_WITH_WORD.fullmatch(value)
    if match is None or unit not in DURATION_UNITS:
        return ""
    seconds = unit_seconds(match.group(2))
    whole, part = divmod(int(match.group(1)) * seconds, DURATION_UNITS[unit])
    fits = seconds and not part and minimum <= whole <= maximum
    return f"Did you mean {whole}?" if fits else ""


def choice_hint(value: str, options: Sequence[str]) -> str:
    """The option a misspelt one is nearest to (jsn: jsonl), or that it shortens, its letters
    in order from the first (md: markdown); else ""."""
    if len(value) >= 100:
        return ""
    close = near(value, options) or [o for o in options if _shortens(value, o.lower())]
    return f"Did you mean {close[0]}?" if close else ""


def _shortens(value: str, option: str) -> bool:
    letters = iter(option)
    return len(value) >= 2 and value[:1] == option[:1] and all(c in letters for c in value)
