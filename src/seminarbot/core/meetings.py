"""The parameters that say when a seminar meets: its weekday or weekdays and its time of day
(core.params re-exports them with the other types)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from seminarbot.core.hints import time_hint, weekday_hint, weekdays_hint
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.schedule import WEEKDAYS
from seminarbot.domain.textfold import as_word

_TIME = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class Weekday:
    kind: str = "weekday"

    @property
    def expected(self) -> str:
        return "a weekday such as tuesday or tue"

    def parse(self, raw: str, param: str, today: date | None = None) -> int:
        value = as_word(raw)
        matches = [i for i, name in enumerate(WEEKDAYS) if value and name.startswith(value)]
        if len(matches) == 1:
            return matches[0]
        raise BadArgument(param, self.expected, raw, weekday_hint(value))


@dataclass(frozen=True)
class Weekdays:
    """One weekday or several, comma-separated: `tue` or `tue,thu`."""

    kind: str = "weekdays"

    @property
    def expected(self) -> str:
        return "a weekday such as tuesday, or several such as tue,thu"

    def parse(self, raw: str, param: str, today: date | None = None) -> tuple[int, ...]:
        parts = as_word(raw).replace(" ", "").split(",")
        try:  # tue,,thu or tue,thu,tue: a day left out, or another one meant?
            days = {Weekday().parse(part, param) for part in parts if part}
        except BadArgument as error:
            raise BadArgument(param, self.expected, raw, weekdays_hint(parts)
                              or weekday_hint(error.got or "", parts)) from None
        if not all(parts) or len(days) != len(parts):
            raise BadArgument(param, self.expected, raw, weekdays_hint(parts))
        return tuple(sorted(days))


@dataclass(frozen=True)
class TimeOfDay:
    kind: str = "time"

    @property
    def expected(self) -> str:
        return "a 24-hour time of day such as 19:00 or 7:30"

    def parse(self, raw: str, param: str, today: date | None = None) -> time:
        match = _TIME.fullmatch(as_word(raw))
        if not match:
            raise BadArgument(param, self.expected, raw, time_hint(as_word(raw)))
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise BadArgument(param, self.expected, raw, time_hint(as_word(raw)))
        return time(hour, minute)
