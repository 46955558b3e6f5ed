"""The units a duration is written in (`1d`, `2h30m`) and their words (`1 day`, `2hours`), one
table for the parameters that read durations (core.params), the parser that joins a number to
the unit word after it (core.parsing) and the hints (core.hints)."""

from __future__ import annotations

import re

DURATION_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}  # seconds
# Each unit's words, singular and plural; no month (its length varies, and `m` is minutes).
UNIT_WORDS = {f"{word}{plural}": unit for unit, names in (
    ("w", ("week", "wk")), ("d", ("day",)), ("h", ("hour", "hr")), ("m", ("minute", "min")),
    ("s", ("second", "sec"))) for word in names for plural in ("", "s")}
YEAR_SECONDS = 365 * 86400
YEAR_WORDS = frozenset({"y", "yr", "yrs", "year", "years"})
_PART_GAP = re.compile(r"(?<=\d)\s+(?=[a-z])|(?<=[a-z])\s+(?=\d)")
_WORDED = re.compile(r"(\d+)(" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True))
                     + r")(?![a-z])")


def is_unit_word(word: str) -> bool:
    """`day`, `hours`, `min`, `years`, `h`…: a word or letter that names a unit of time."""
    return word in UNIT_WORDS or word in DURATION_UNITS or word in YEAR_WORDS


def with_unit_letters(value: str) -> str:
    """`1day` as `1d`, `1hr30mins` as `1h30m`: each unit word after a number as its letter
    (spaces already removed)."""
    return _WORDED.sub(lambda m: m.group(1) + UNIT_WORDS[m.group(2)], value)


def compact(value: str) -> str:
    """`2h 30m`, `1 day` as `2h30m`, `1day`: the spaces between a number and its unit, and
    between parts, left out; any other space (`1 2h`, `3 0 days`) kept, so that the value is
    refused rather than read as another number."""
    return _PART_GAP.sub("", value)
