"""What a refused argument probably meant, as the hint its BadArgument ends with ("Did you
mean 19:00?"): one function per kind of value, each "" when nothing is likely."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from seminarbot.core.dates import date_words, month_length, named_hint
from seminarbot.core.durations import DURATION_UNITS, unit_seconds, written
from seminarbot.domain.near import near
from seminarbot.domain.schedule import WEEKDAYS
from seminarbot.domain.typed import quoted_typed

_BARE_UNITS = (("d", "days"), ("h", "hours"))  # what a bare number most likely meant
# 2026/01/05, 2026.1.5, 2026-1-5, 5/1/2026, 05.01.2026
_OTHER_DATE = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](?:['\u2018\u2019](?=\d{2}$))?(\d{1,4})")
_PACKED_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# 1.5d, 0,5h, .5d, 1d1.5h: a part with a fraction of its unit
_FRACTION = re.compile(r"(\d{0,6}(?:[.,]\d{1,6})?)([wdhms])")
_FRACTIONS = re.compile(r"(?:(?:\d{1,6}|\d{0,6}[.,]\d{1,6})[wdhms]){1,5}")
_NUMBER_WITH_WORD = re.compile(r"(\d{1,6})\s*([a-z]{1,10})")
# 7pm, 7:30pm, 7.30 p.m. (group 3: a or p); 19h, 19h30, 19.30, 1930, 19
_WITH_SECONDS = re.compile(r"(\d{1,2}:\d{2}):00")  # 19:00:00
_WORD_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
_OTHER_TIME = re.compile(r"(\d{1,2}?)(?:[:.h]?(\d{2})|[:.h])?(?:([ap])\.?m\.?)?")


def weekday_hint(value: str, parts: Sequence[str] = ()) -> str:
    """Which days an unclear prefix could be (`t`: tuesday or thursday), or the day a misspelt
    name is nearest to; "" when neither. Of a list (`parts`, `value` one of them), the whole
    list with that day in its place (`tue,thursday`), never one that names a day twice."""
    matches = [day for day in WEEKDAYS if value and day.startswith(value)]
    if len(matches) > 1:
        return f"{quoted_typed(value)} could be {' or '.join(matches)}."
    close = near(value, WEEKDAYS)
    if not close:
        return ""
    meant = [close[0] if part == value else part for part in parts] or close
    days = [next((d for d in WEEKDAYS if part and d.startswith(part)), "") for part in meant]
    if "" in days or len(set(days)) != len(days):  # tue,,thrusday; thu,thrusday
        return ""
    return f"Did you mean {','.join(meant)}?"


_RANGE = re.compile(r"\.\.|[-\u2010-\u2015]")  # mon-fri, mon–fri, mon..fri
_OTHER_SEPARATOR = re.compile(r"[/;&+|]|(?<!\.)\.(?!\.)")  # mon/wed, mon;wed, mon.wed
_DAY_GROUPS = {"weekdays": "mon,tue,wed,thu,fri", "weekday": "mon,tue,wed,thu,fri",
               "workdays": "mon,tue,wed,thu,fri", "weekends": "sat,sun", "weekend": "sat,sun",
               "daily": "mon,tue,wed,thu,fri,sat,sun", "everyday": "mon,tue,wed,thu,fri,sat,sun"}


def weekdays_hint(parts: Sequence[str]) -> str:
    """For a list of days that names one twice (`tue,tue`), gives a range (`mon,wed-fri`) or
    a word for several (`weekdays`), or another separator (`mon/wed`): the whole list to type
    instead, or what is wrong; else ""."""
    names = [_day_named(part) for part in parts]
    twice = next((d for d in names if d and names.count(d) > 1), None)
    if twice:
        return f"It names {twice} twice."
    listed = [_days_of(part) for part in parts]
    if any(days is not None for days in listed):
        whole = ",".join(part if days is None else days
                         for part, days in zip(parts, listed, strict=True))
        return f"A range or a word for several days is not taken: list them, {whole}."
    if any(_OTHER_SEPARATOR.search(part) for part in parts):
        days = [_day_named(p) for part in parts for p in _OTHER_SEPARATOR.split(part)]
        if all(days):
            return f"Separate the days with commas: {','.join(d[:3] for d in days)}."
    return ""


def _day_named(part: str) -> str:
    return next((d for d in WEEKDAYS if part and d.startswith(part)), "")


def _days_of(part: str) -> str | None:
    """The days a range (`mon-fri`, wrapping: `sat-mon`) or a group word stands for, as a
    list to type; None for anything else."""
    if part in _DAY_GROUPS:
        return _DAY_GROUPS[part]
    ends = _RANGE.split(part)
    if len(ends) != 2 or not all(ends):
        return None
    first, last = (next((i for i, d in enumerate(WEEKDAYS) if d.startswith(end)), None)
                   for end in ends)
    if first is None or last is None or first == last:
        return None
    span = range(first, last + 1 if first < last else last + 8)
    return ",".join(WEEKDAYS[i % 7][:3] for i in span)


def time_hint(value: str) -> str:
    """`Did you mean 19:00?` for a time written another way (7pm, 7:30 p.m., 19h, 19h30,
    19.30, 1930, 19:00:00, noon, midnight; 24:00 is the next day's 00:00), both readings of
    one that may be morning or evening (7, 7.30: `7 pm` typed apart reaches here as `7`), or
    ""."""
    if value in _WORD_TIMES:
        return f"Did you mean {_WORD_TIMES[value]}?"
    if (seconds := _WITH_SECONDS.fullmatch(value)) is not None:
        value = seconds.group(1)
    if value in ("24:00", "24"):
        return "Did you mean 00:00 (24:00 is the next day's 00:00)?"
    match = _OTHER_TIME.fullmatch(value.replace(" ", ""))
    if not match:
        return ""
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if not half and 1 <= hour <= 12 and not value.startswith("0"):
        if minute > 59:
            return ""
        other = 0 if hour == 12 else hour + 12
        return f"Did you mean {hour:02d}:{minute:02d} or {other:02d}:{minute:02d}?"
    if half:
        if not 1 <= hour <= 12:
            return ""
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return ""
    return f"Did you mean {hour:02d}:{minute:02d}?"


_MONTHS = re.compile(r"\d{1,3}(?:mo|mos|mon|mons|mth|mths|month|months)")
_YEARS = re.compile(r"(\d{1,3})(?:y|yr|yrs|years?)")


def duration_hint(value: str, fits: Callable[[int], bool]) -> str:
    """For a number without its unit (`1`): the forms a duration takes, in units whose result
    `fits` (seconds); for a fraction of a unit (`1.5d`, `0,5h`), the same time in whole units
    (`1d12h`) if it `fits`; else ""."""
    if _FRACTIONS.fullmatch(value) and ("." in value or "," in value):
        from fractions import Fraction  # only for a slip: it imports decimal

        exact = Fraction(0)
        for number, unit in _FRACTION.findall(value):
            exact += Fraction(number.replace(",", ".")) * DURATION_UNITS[unit]
        whole = exact.numerator if exact.denominator == 1 else 0
        return f"Did you mean {written(whole)}?" if whole and fits(whole) else ""
    if _MONTHS.fullmatch(value):  # no unit of a month either: months differ (helper-195's 8)
        return "A month is no unit of a duration (months differ): give days or weeks (30d, 4w)."
    years = _YEARS.fullmatch(value)
    if years:  # no unit of a year: a calendar's years differ (helper-140)
        days = int(years.group(1)) * 365
        return f"Did you mean {days}d?" if fits(days * DURATION_UNITS["d"]) else ""
    if not value.isdecimal() or len(value) > 6:
        return ""
    forms = [f"{value}{unit} for {name}" for unit, name in _BARE_UNITS
             if fits(int(value) * DURATION_UNITS[unit])]
    return f"A duration needs its unit: {' or '.join(forms)}." if forms else ""


def date_hint(value: str, today: date | None = None,
              fits: Callable[[date], bool] = lambda _: True) -> str:
    """The YYYY-MM-DD form of a date written another way, if it `fits` the parameter:
    2026/01/05, 2026.1.5, 5/1/2026 (both readings when day and month could swap), and those
    written with their month's name and a slip (core.dates.named_hint: `9 march`, `9 marhc
    2027`); how many days a month has, for a day past its end (2027-02-29); else "". (Not
    `today` itself: whose today, the seminar's zone's, is not known here, and a day off would
    skip a meeting.)"""
    words = date_words(value)
    if words is not None:
        return named_hint(words, today, fits)
    if (packed := _PACKED_DATE.fullmatch(value)) is not None:  # 20260329: ISO's basic form
        day = _day((int(packed[1]), int(packed[2]), int(packed[3])))
        return f"Did you mean {day.isoformat()}?" if day and fits(day) else ""
    match = _OTHER_DATE.fullmatch(value)
    if not match:
        return ""
    first, second, third = (int(n) for n in match.groups())
    if first > 31 and 1 <= second <= 12 and third > 28:  # 2027-02-29, 2026-04-31
        past_end = month_length(first, second, third)
        if past_end:
            return past_end
    readings = [(first, second, third)] if first > 31 else \
        [(third, second, first), (third, first, second)] if third > 31 else \
        _two_digit_years(match.groups())
    found = sorted({day.isoformat() for day in map(_day, readings) if day and fits(day)})
    return f"Did you mean {' or '.join(found)}?" if found else ""


def _two_digit_years(parts: Sequence[str]) -> list[tuple[int, int, int]]:
    """Readings of a date whose year has two digits (9/3/27, 27-03-09), in this century: the
    year last (either order of day and month) or first, where it was typed with two digits."""
    first, second, third = (int(n) for n in parts)
    readings = []
    if len(parts[2]) == 2:
        readings += [(2000 + third, second, first), (2000 + third, first, second)]
    if len(parts[0]) == 2:
        readings.append((2000 + first, second, third))
    return readings


def _day(parts: tuple[int, int, int]) -> date | None:
    try:
        return date(*parts)
    except ValueError:
        return None


def whole_hint(value: str, minimum: int, maximum: int, unit: str) -> str:
    """`Did you mean 30?` for a whole number of `unit` (days: DURATION_UNITS's letter) given
    with a unit (30d, 4w, 1 year, 48h), converted, from `minimum` to `maximum`; else "" (also
    for a unit that does not divide into `unit`s); for months, that they have no one length."""
    match = _NUMBER_WITH_WORD.fullmatch(value)
    if match is None or unit not in DURATION_UNITS:
        return ""
    if _MONTHS.fullmatch(value.replace(" ", "")):  # helper-196's 8: `retention 1 month`
        months = int(match.group(1))
        about = "about a month" if months == 1 else f"about {months} months"
        return (f"A month has no one length: give the number of days ({months * 30} for "
                f"{about}).")
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
