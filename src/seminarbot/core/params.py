"""Typed command parameters: each type parses raw text and says what it expects when it cannot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from seminarbot.core.errors import BadArgument


class ParamType(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def expected(self) -> str: ...

    def parse(self, raw: str, param: str) -> object: ...


@dataclass(frozen=True)
class String:
    max_length: int = 200
    min_length: int = 1
    kind: str = "string"

    @property
    def expected(self) -> str:
        return f"text of {self.min_length} to {self.max_length} characters"

    def parse(self, raw: str, param: str) -> str:
        value = raw.strip()
        if not self.min_length <= len(value) <= self.max_length:
            got = value if len(value) <= 40 else f"{len(value)} characters"
            raise BadArgument(param, self.expected, got)
        return value


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int
    kind: str = "integer"

    @property
    def expected(self) -> str:
        return f"a whole number from {self.minimum} to {self.maximum}"

    def parse(self, raw: str, param: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise BadArgument(param, self.expected, raw) from None
        if not self.minimum <= value <= self.maximum:
            raise BadArgument(param, self.expected, raw)
        return value


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    kind: str = "choice"

    @property
    def expected(self) -> str:
        return "one of " + ", ".join(self.options)

    def parse(self, raw: str, param: str) -> str:
        value = raw.strip().lower()
        for option in self.options:
            if option.lower() == value:
                return option
        import difflib  # imported when first needed: it costs memory at start-up

        close = difflib.get_close_matches(value, self.options, n=1)
        hint = f"Did you mean {close[0]}?" if close else ""
        raise BadArgument(param, self.expected, raw, hint)


_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|s)")
_DURATION_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class Duration:
    maximum: timedelta = timedelta(days=3650)
    kind: str = "duration"

    @property
    def expected(self) -> str:
        return "a duration such as 3d, 2h30m, 90m or 1w"

    def parse(self, raw: str, param: str) -> timedelta:
        value = raw.strip().lower().replace(" ", "")
        if not value or _DURATION_PART.sub("", value):
            raise BadArgument(param, self.expected, raw)
        seconds = sum(int(n) * _DURATION_UNITS[u] for n, u in _DURATION_PART.findall(value))
        result = timedelta(seconds=seconds)
        if result <= timedelta(0) or result > self.maximum:
            limit = f", longer than zero and at most {self.maximum.days} days"
            raise BadArgument(param, self.expected + limit, raw)
        return result


@dataclass(frozen=True)
class DurationOrOff:
    """A duration such as 1d, or `off` (None)."""

    kind: str = "duration"

    @property
    def expected(self) -> str:
        return "a duration such as 1d or 12h, or off"

    def parse(self, raw: str, param: str) -> timedelta | None:
        if raw.strip().lower() in ("off", "none", "no"):
            return None
        try:
            return Duration().parse(raw, param)
        except BadArgument:
            raise BadArgument(param, self.expected, raw) from None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Weekday:
    kind: str = "weekday"

    @property
    def expected(self) -> str:
        return "a weekday such as tuesday or tue"

    def parse(self, raw: str, param: str) -> int:
        value = raw.strip().lower()
        if len(value) >= 2:
            matches = [i for i, name in enumerate(WEEKDAYS) if name.startswith(value)]
            if len(matches) == 1:
                return matches[0]
        raise BadArgument(param, self.expected, raw)


@dataclass(frozen=True)
class Weekdays:
    """One weekday or several, comma-separated: `tue` or `tue,thu`."""

    kind: str = "weekdays"

    @property
    def expected(self) -> str:
        return "a weekday such as tuesday, or several such as tue,thu"

    def parse(self, raw: str, param: str) -> tuple[int, ...]:
        parts = [part for part in raw.replace(" ", "").split(",") if part]
        if not parts or len(parts) > 7:
            raise BadArgument(param, self.expected, raw)
        days = set()
        for part in parts:
            try:
                days.add(Weekday().parse(part, param))
            except BadArgument:
                raise BadArgument(param, self.expected, raw) from None
        return tuple(sorted(days))


_TIME = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class TimeOfDay:
    kind: str = "time"

    @property
    def expected(self) -> str:
        return "a 24-hour time of day such as 19:00 or 7:30"

    def parse(self, raw: str, param: str) -> time:
        match = _TIME.fullmatch(raw.strip())
        if not match:
            raise BadArgument(param, self.expected, raw)
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise BadArgument(param, self.expected, raw)
        return time(hour, minute)


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def zone_suggestions(raw: str, limit: int = 3) -> list[str]:
    import difflib

    names = _zone_names()
    wanted = raw.strip().lower().replace(" ", "_")
    close = difflib.get_close_matches(wanted, names.keys(), n=limit, cutoff=0.5)
    if not close:
        # "Berlin" alone: look for the city part.
        close = [key for key in names if key.rsplit("/", 1)[-1] == wanted][:limit]
    return [names[key] for key in close]


@dataclass(frozen=True)
class TimeZone:
    kind: str = "timezone"

    @property
    def expected(self) -> str:
        return "an IANA time zone such as Europe/Berlin or America/New_York (not an offset)"

    def parse(self, raw: str, param: str) -> str:
        value = raw.strip()
        name = _zone_names().get(value.lower().replace(" ", "_"))
        if name is None:
            suggestions = zone_suggestions(value)
            hint = f"Did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise BadArgument(param, self.expected, raw, hint)
        try:
            ZoneInfo(name)
        except ZoneInfoNotFoundError:  # pragma: no cover - listed but unloadable
            raise BadArgument(param, self.expected, raw) from None
        return name


@dataclass(frozen=True)
class Date:
    kind: str = "date"

    @property
    def expected(self) -> str:
        return "a date as YYYY-MM-DD, such as 2026-01-13"

    def parse(self, raw: str, param: str) -> date:
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise BadArgument(param, self.expected, raw) from None


@dataclass(frozen=True)
class Flag:
    """A boolean switch written as --name."""

    kind: str = "flag"

    @property
    def expected(self) -> str:
        return "no value (it is a switch)"

    def parse(self, raw: str, param: str) -> bool:
        value = raw.strip().lower()
        if value in ("", "true", "yes", "1", "on"):
            return True
        if value in ("false", "no", "0", "off"):
            return False
        raise BadArgument(param, "yes or no", raw)
