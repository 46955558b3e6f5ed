"""The units a duration is written in (`1d`, `2h30m`) and their words (`1 day`, `2hours`), one
table for the parameters that read durations (core.params), the parser that joins a number to
the unit word after it (core.parsing) and the hints (core.hints), which write a duration
back in them (`written`)."""

from __future__ import annotations

import re
import unicodedata

DURATION_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}  # seconds
# Each unit's words, singular and plural; no month (its length varies, and `m` is minutes).
UNIT_WORDS = {f"{word}{plural}": unit for unit, names in (
    ("w", ("week", "wk")), ("d", ("day",)), ("h", ("hour", "hr")), ("m", ("minute", "min")),
    ("s", ("second", "sec"))) for word in names for plural in ("", "s")}
# A year is no duration's unit (core.params.Duration), only a count of days given in years.
_YEAR_WORDS, _YEAR_SECONDS = frozenset({"y", "yr", "yrs", "year", "years"}), 365 * 86400
_PART_GAP = re.compile(r"(?<=\d)\s+(?=[a-z])|(?<=[a-z])\s+(?=\d)")
# From a number's first digit, taken whole: linear in the text's length.
_WORDED = re.compile(r"(?<!\d)(\d++)(" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True))
                     + r")(?![a-z])")


# A capital M after a number (`1M`): minutes to some, months to others (ISO 8601's P1M), so
# neither is read from it (helper-194's 3: it was a minute).
_CAPITAL_M = re.compile(r"\d\s*M(?![A-Za-z])")
CAPITAL_M_HINT = ("M may mean minutes or months: write 1m for a minute; a month as days or "
                  "weeks (30d, 4w).")


def capital_m(raw: str) -> bool:
    """Whether a duration as typed (NFKC, as core.params reads it) has a unit `M`."""
    return _CAPITAL_M.search(unicodedata.normalize("NFKC", raw)) is not None


def unit_seconds(word: str) -> int:
    """The seconds in the unit of time a word or letter names (`day`, `hours`, `min`, `h`,
    `years`), or 0 when it names none."""
    if word in _YEAR_WORDS:
        return _YEAR_SECONDS
    return DURATION_UNITS.get(UNIT_WORDS.get(word, word), 0)


def with_unit_letters(value: str) -> str:
    """`1day` as `1d`, `1hr30mins` as `1h30m`: each unit word after a number as its letter
    (spaces already removed)."""
    return _WORDED.sub(lambda m: m.group(1) + UNIT_WORDS[m.group(2)], value)


def compact(value: str) -> str:
    """`2h 30m`, `1 day` as `2h30m`, `1day`: the spaces between a number and its unit, and
    between parts, left out; any other space (`1 2h`, `3 0 days`) kept, so that the value is
    refused rather than read as another number."""
    return _PART_GAP.sub("", value)


def written(seconds: int) -> str:
    """`1d12h`: a positive number of seconds in the units of DURATION_UNITS, largest first."""
    parts = []
    for unit, length in DURATION_UNITS.items():
        count, seconds = divmod(seconds, length)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
