"""Typed command parameters: each type parses raw text and says what it expects when it cannot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from seminarbot.core.dates import named_date
from seminarbot.core.durations import (
    CAPITAL_M_HINT,
    DURATION_UNITS,
    capital_m,
    compact,
    with_unit_letters,
)
from seminarbot.core.hints import (
    choice_hint,
    date_hint,
    duration_hint,
    whole_hint,
)
from seminarbot.core.meetings import TimeOfDay, Weekday, Weekdays
from seminarbot.core.zones import TimeZone
from seminarbot.domain.display import clean, is_blank
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.responses import VISIBLE
from seminarbot.domain.schedule import describe_span
from seminarbot.domain.textfold import as_word

__all__ = ["Choice", "Date", "Duration", "DurationOrOff", "Flag", "Integer", "ParamType",
           "String", "TimeOfDay", "TimeZone", "Weekday", "Weekdays"]

_WHOLE = re.compile(r"[+-]?[0-9]{1,30}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ParamType(Protocol):
    """`expected` says what it takes, bounds included (help and errors show it); `parse` turns
    text into the value or raises BadArgument. `today` is the invoking clock's date, for bounds
    relative to it (dates); without it they are checked against the system's date."""

    @property
    def kind(self) -> str: ...

    @property
    def expected(self) -> str: ...

    def parse(self, raw: str, param: str, today: date | None = None) -> object: ...


@dataclass(frozen=True)
class String:
    """Text; `numbered` when it names something by number (a session `3`, a prompt `2.1`), so
    its digits are read like a number's (core.parsing.NUMERIC_KINDS). `meaning`: what it names
    ("a session number or id"), said when it is missing or too long. `visible`: text that
    shows nothing (zero-width characters) is refused here; False where the command says what
    it expects of it (a confirmation code's shape)."""

    max_length: int = 200
    min_length: int = 1
    kind: str = "string"
    numbered: bool = False
    meaning: str = ""
    visible: bool = True

    @property
    def expected(self) -> str:
        length = f"{self.min_length} to {self.max_length} characters"
        return f"{self.meaning}, {length}" if self.meaning else f"text of {length}"

    def parse(self, raw: str, param: str, today: date | None = None) -> str:
        value = raw.strip()  # only spaces (no-break ones) are shown as typed, not as ''
        if self.visible and value and self.min_length <= len(value) and is_blank(value):
            # Said as what it is: a length it has may be why it is refused (helper-172)
            raise BadArgument(param, f"{self.meaning or 'text'} with something visible in it, "
                              "not only spaces, control or invisible characters", value,
                              hint=_length(len(value)))
        if not self.min_length <= len(value) <= self.max_length \
                or (self.visible and is_blank(value)):
            raise BadArgument(param, self.expected, value or raw, hint=_length(len(value)))
        return value


def _length(characters: int) -> str:
    """What a refused text's length was, beside its start (BadArgument shows 60 characters)."""
    return f"That is {characters:,} characters." if characters > 60 else ""


@dataclass(frozen=True)
class Words(String):
    """A participant's own words (a response): its length counted as it will be stored
    (domain.responses.clean), so control characters that are removed do not count, and text
    with nothing visible in it refused (domain.responses.is_blank), so that in a prompt's
    thread a command with such a text is no command (core.parsing.is_command)."""

    def parse(self, raw: str, param: str, today: date | None = None) -> str:
        value = raw.strip()
        length = len(clean(value))
        if is_blank(clean(value)):
            raise BadArgument(param, VISIBLE, value or raw, hint=_length(length))
        if not self.min_length <= length <= self.max_length:
            raise BadArgument(param, self.expected, value, hint=_length(length))
        return value


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int
    kind: str = "integer"
    unit: str = ""  # what it counts, as DURATION_UNITS's letter (d: days), for the hint

    @property
    def expected(self) -> str:
        return f"a whole number from {self.minimum} to {self.maximum}"

    def parse(self, raw: str, param: str, today: date | None = None) -> int:
        typed = value = as_word(raw)  # digits only (int() also takes 3_0), a sign at most
        if self.unit:  # `30d`, `30 days`: the number of what it counts, said with its unit
            value = with_unit_letters(compact(value)).removesuffix(self.unit)
            if value != typed and value.strip("0") == "":  # 0 days: none, or keep them all?
                raise BadArgument(param, self.expected, raw, "Give 0 alone (see its help).")
        if not _WHOLE.fullmatch(value):
            raise BadArgument(param, self.expected, raw,
                              whole_hint(typed, self.minimum, self.maximum, self.unit))
        if not self.minimum <= int(value) <= self.maximum:
            raise BadArgument(param, self.expected, raw)
        return int(value)


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    kind: str = "choice"

    @property
    def expected(self) -> str:
        return "one of " + ", ".join(self.options)

    def parse(self, raw: str, param: str, today: date | None = None) -> str:
        value = as_word(raw)
        for option in self.options:
            if option.lower() == value:
                return option
        raise BadArgument(param, self.expected, raw, choice_hint(value, self.options))


# `2 hours, 30 minutes`, `1 day and 12 hours`: what may come between a duration's parts.
_BETWEEN_PARTS = re.compile(r"(?<=[a-z]),|(?<=\s)(?:and|&)(?=\s)")
_DURATION_PART = re.compile(r"(?<!\d)(\d++)\s*+(w|d|h|m|s)")  # linear: each number whole
YEAR = timedelta(days=365)


def span(delta: timedelta) -> str:
    """365 days, 7 days, 12 hours: a bound as people say it (domain.schedule.describe_span)."""
    if delta.total_seconds() % 60:
        return f"{int(delta.total_seconds())} seconds"
    return describe_span(delta)


@dataclass(frozen=True)
class Duration:
    """At least `minimum` (longer than zero without it) and at most `maximum` (less than it
    when not `inclusive`)."""

    maximum: timedelta = YEAR
    inclusive: bool = True
    kind: str = "duration"
    minimum: timedelta | None = None

    @property
    def limit(self) -> str:
        if self.minimum is not None:
            return f"from {span(self.minimum)} to {span(self.maximum)}"
        return f"{'up to' if self.inclusive else 'less than'} {span(self.maximum)}"

    @property
    def expected(self) -> str:
        above = "" if self.minimum is not None else "more than zero and "  # (0s, -1d)
        return f"a duration such as 3d, 2h30m, 90m or 1w, {above}{self.limit}"

    def parse(self, raw: str, param: str, today: date | None = None) -> timedelta:
        if capital_m(raw):
            raise BadArgument(param, self.expected, raw, CAPITAL_M_HINT)
        value = with_unit_letters(compact(_BETWEEN_PARTS.sub(" ", as_word(raw))))
        parts = _DURATION_PART.findall(value)
        units = [unit for _, unit in parts]
        # Each unit once: 1d1d is a slip, not two days.
        if not value or len(value) > 40 or _DURATION_PART.sub("", value) \
                or len(set(units)) != len(units):
            raise BadArgument(param, self.expected, raw, duration_hint(value, self._fits))
        seconds = sum(int(n) * DURATION_UNITS[u] for n, u in parts)
        if not self._fits(seconds):
            raise BadArgument(param, self.expected, raw)
        return timedelta(seconds=seconds)

    def _fits(self, seconds: int) -> bool:
        limit = int(self.maximum.total_seconds())
        low = 1 if self.minimum is None else int(self.minimum.total_seconds())
        return low <= seconds <= limit and (seconds < limit or self.inclusive)


@dataclass(frozen=True)
class DurationOrOff:
    """A duration such as 1d, or `off` (None)."""

    maximum: timedelta = YEAR
    inclusive: bool = True
    kind: str = "duration"

    @property
    def limit(self) -> str:
        return Duration(self.maximum, self.inclusive).limit

    @property
    def expected(self) -> str:
        return f"a duration such as 1d or 12h, {self.limit}, or off"

    def parse(self, raw: str, param: str, today: date | None = None) -> timedelta | None:
        if as_word(raw) in ("off", "none", "no"):
            return None
        try:
            return Duration(self.maximum, self.inclusive).parse(raw, param)
        except BadArgument as error:
            raise BadArgument(param, self.expected, raw, error.hint) from None


@dataclass(frozen=True)
class Date:
    """A calendar date within `within_years` of today, either way: YYYY-MM-DD, or written with
    its month's name (core.dates: `9 March 2027`)."""

    within_years: int = 10
    kind: str = "date"

    @property
    def limit(self) -> str:
        return f"within {self.within_years} years of today"

    @property
    def expected(self) -> str:
        return f"a date as YYYY-MM-DD or with its month's name, {self.limit}"

    def parse(self, raw: str, param: str, today: date | None = None) -> date:
        value_text = as_word(raw)  # as the README writes it (fromisoformat takes 20260113)
        day = today or datetime.now(UTC).date()

        def fits(value: date) -> bool:
            return abs((value - day).days) <= int(365.25 * self.within_years) + 1

        try:
            value = date.fromisoformat(value_text if _DAY.fullmatch(value_text) else "")
        except ValueError:
            named = named_date(value_text)
            if named is None:
                raise BadArgument(param, self.expected, raw,
                                  date_hint(value_text, day, fits)) from None
            value = named
        if not fits(value):
            raise BadArgument(param, self.expected, raw)
        return value


@dataclass(frozen=True)
class Flag:
    """A boolean switch written as --name."""

    kind: str = "flag"

    @property
    def expected(self) -> str:
        return "no value (it is a switch)"

    def parse(self, raw: str, param: str, today: date | None = None) -> bool:
        value = as_word(raw)
        if value in ("", "true", "yes", "1", "on"):
            return True
        if value in ("false", "no", "0", "off"):
            return False
        raise BadArgument(param, "no value (it is a switch), or yes or no", raw,
                          f"Give it alone, as --{param}." if raw else "")
