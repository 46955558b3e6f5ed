"""The units a duration is written in (`1d`, `2h30m`) and their words (`1 day`, `2hours`), one
table for the parameters that read durations (core.params), the parser that joins a number to
the unit word after it (core.parsing) and the hints (core.hints), which write a duration
back in them (`written`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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


# Numbers in words, read as one only before a unit's word (`five days`): to be refused whole.
NUMBER_WORDS = frozenset({
    "a", "an", "half", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty",
    "ninety", "hundred"})
_CONNECTORS = frozenset({"and", "&", ","})


def time_typed_apart(words: Sequence[str], taken_next: Callable[[str], bool]) -> int:
    """How many of `words` after the first go on with the amount of time it begins, typed with
    spaces: each part a number and then a word for its unit (`1 day`, `5 parsecs`), or both
    in one word (`12h`, `2h30m`); parts one after another, `and` or a comma between them
    (`1 day 12 hours`, `2 hours, 30 minutes`, `1 day twelve hours`). The word after a number is
    its unit's unless the next parameter takes it (`taken_next`: `5 on` leaves `on`); a number
    last (`1 day 12`) goes with it. Whether it is a duration is the type's to say: the whole
    is refused as one value, never left over as "too many arguments" (helper-155's 4,
    helper-157's 2, 3). 0 when the first word begins no amount of time. Words as core.parsing
    compares them (as_word, ASCII digits)."""
    def unit_next(at: int) -> bool:
        return at < len(words) and unit_seconds(words[at].strip(".,;")) > 0

    def begins_part(at: int) -> bool:
        return _numeric(words[at]) or (words[at] in NUMBER_WORDS and unit_next(at + 1))

    if not words or (not _whole_part(words[0]) and not begins_part(0)):
        return 0
    # A number alone, or one at the end of a part (`1d1 h`), has its unit's word next.
    at, needs_unit = 0, not _whole_part(words[0]) or words[0][-1:].isnumeric()
    while at + 1 < len(words):
        following = words[at + 1]
        if needs_unit:
            if following[:1].isalpha() and not taken_next(following):  # `d1h`: a part next
                at, needs_unit = at + 1, following[-1:].isnumeric()
            elif _numeric(following) or _whole_part(following):  # a space inside a number
                at, needs_unit = at + 1, following[-1:].isnumeric()  # (`3 0 days`): whole
            else:
                break
            continue
        then = at + 2 if following in _CONNECTORS else at + 1
        if then < len(words) and _whole_part(words[then]):
            at, needs_unit = then, words[then][-1:].isnumeric()
        elif then < len(words) and begins_part(then):
            at, needs_unit = then, True
        else:
            break
    return at


def _numeric(word: str) -> bool:
    """A number however written (`5`, `+10`, `½`, `1_0`), with no letter."""
    return any(c.isnumeric() for c in word) and not any(c.isalpha() for c in word)


def _whole_part(word: str) -> bool:
    """A number and letters in one word (`12h`, `2h30m`, `1e2`)."""
    return any(c.isnumeric() for c in word) and any(c.isalpha() for c in word)
